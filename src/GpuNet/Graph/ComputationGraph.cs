using GpuNet.Parameters;

namespace GpuNet.Graph;

/// <summary>
/// A static graph of ops. Nodes are appended after their inputs exist, so the list is already
/// in topological order: forward runs it front to back, backward back to front.
/// </summary>
public sealed class ComputationGraph
{
    private readonly List<Node> _nodes = [];
    private readonly List<Value> _inputs = [];
    private int _nextValueId;

    public IReadOnlyList<Node> Nodes => _nodes;

    public IReadOnlyList<Value> Inputs => _inputs;

    public Value AddInput(int[] sampleShape)
    {
        var value = new Value(_nextValueId++, sampleShape, null);
        _inputs.Add(value);
        return value;
    }

    /// <summary>Appends <paramref name="op"/>; its output shape is checked here, so a bad connection fails at build
    /// time.</summary>
    public Value Apply(Op op, params Value[] inputs)
    {
        int[] shape = op.OutputShape(inputs.Select(v => v.SampleShape).ToArray());
        var node = new Node(_nodes.Count, op, inputs, n => new Value(_nextValueId++, shape, n));
        _nodes.Add(node);
        return node.Output;
    }

    /// <summary>Every parameter of every op, each once, in the order the ops were added.</summary>
    public IReadOnlyList<Parameter> Parameters => _nodes.SelectMany(n => n.Op.Parameters).Distinct().ToList();

    public int ValueCount => _nextValueId;
}
