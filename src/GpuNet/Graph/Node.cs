namespace GpuNet.Graph;

/// <summary>One op applied to its ordered inputs. The order matters: gradients are summed in it.</summary>
public sealed class Node
{
    internal Node(int index, Op op, IReadOnlyList<Value> inputs, Func<Node, Value> makeOutput)
    {
        Index = index;
        Op = op;
        Inputs = inputs;
        Output = makeOutput(this);
    }

    /// <summary>Position in execution order (the graph is built in topological order).</summary>
    public int Index { get; }

    public Op Op { get; }

    public IReadOnlyList<Value> Inputs { get; }

    public Value Output { get; }
}
