using GpuNet.Accelerators;
using GpuNet.Tensors;

namespace GpuNet.Graph;

/// <summary>
/// Every activation, gradient and workspace buffer of a graph for one batch size, allocated
/// once; running a step allocates nothing. Views (reshape) share their input's buffers.
/// </summary>
public sealed class ExecutionPlan : IDisposable
{
    private readonly ComputationGraph _graph;
    private readonly IAccelerator _accelerator;
    private readonly Tensor[] _values;
    private readonly Tensor?[] _gradients;
    private readonly OpTensors[] _nodeTensors;
    private readonly List<DeviceBuffer> _owned = [];
    private readonly DeviceBuffer[] _gradientBuffers;

    /// <param name="seededGradients">
    /// Values whose gradient is written from outside before <see cref="Backward"/> (the loss's
    /// input): no op may set those, only add to them.
    /// </param>
    public ExecutionPlan(ComputationGraph graph, IAccelerator accelerator, int batchSize, bool withGradients, IReadOnlyCollection<Value>? seededGradients = null)
    {
        _graph = graph;
        _accelerator = accelerator;
        BatchSize = batchSize;
        _values = new Tensor[graph.ValueCount];
        _gradients = new Tensor?[graph.ValueCount];
        foreach (Value input in graph.Inputs) _values[input.Id] = NewTensor(input.SampleShape);

        foreach (Node node in graph.Nodes)
        {
            Value output = node.Output;
            if (node.Op.IsView)
            {
                Value source = node.Inputs[0];
                _values[output.Id] = new Tensor(_values[source.Id].Buffer, ShapeOf.WithBatch(batchSize, output.SampleShape));
                continue;
            }
            _values[output.Id] = NewTensor(output.SampleShape);
        }

        if (withGradients)
        {
            // Graph inputs are data: no gradient is ever needed for them.
            foreach (Node node in graph.Nodes)
            {
                Value output = node.Output;
                _gradients[output.Id] = node.Op.IsView && _gradients[node.Inputs[0].Id] is { } shared
                    ? new Tensor(shared.Buffer, ShapeOf.WithBatch(batchSize, output.SampleShape))
                    : NewTensor(output.SampleShape);
            }
        }

        bool[] setsInputGradient = FindInputGradientSetters(graph, seededGradients ?? []);
        var setBuffers = graph.Nodes.Where(n => setsInputGradient[n.Index]).Select(n => _gradients[n.Inputs[0].Id]!.Buffer).ToHashSet();
        _gradientBuffers = _gradients.Where(g => g is not null).Select(g => g!.Buffer).Distinct().Where(b => !setBuffers.Contains(b)).ToArray();
        _nodeTensors = graph.Nodes.Select(node =>
        {
            var inputShapes = node.Inputs.Select(v => v.SampleShape).ToArray();
            Tensor[] workspaces = node.Op.WorkspaceLengths(batchSize, inputShapes).Select(length => Own(length, [length])).ToArray();
            return new OpTensors(
                node.Inputs.Select(v => _values[v.Id]).ToArray(),
                _values[node.Output.Id],
                node.Inputs.Select(v => _gradients[v.Id]).ToArray(),
                _gradients[node.Output.Id],
                workspaces.FirstOrDefault())
            { Workspaces = workspaces, SetsInputGradient = setsInputGradient[node.Index] };
        }).ToArray();
    }

    public int BatchSize { get; }

    public Tensor this[Value value] => _values[value.Id];

    public Tensor? GradientOf(Value value) => _gradients[value.Id];

    public void Forward(OpContext context)
    {
        context.BatchSize = BatchSize;
        // By index: a foreach over the interface would allocate an enumerator every step.
        for (int i = 0; i < _graph.Nodes.Count; i++)
        {
            Node node = _graph.Nodes[i];
            if (node.Op.IsView) continue;
            context.NodeIndex = node.Index;
            node.Op.Forward(context, _nodeTensors[node.Index]);
        }
    }

    /// <summary>
    /// Zeroes every activation gradient that ops add to (those an op sets are left: a step's
    /// zeroing of a CNN's first-layer gradients is otherwise a pass over tens of megabytes);
    /// the loss then writes the output's gradient.
    /// </summary>
    public void ZeroGradients()
    {
        foreach (DeviceBuffer buffer in _gradientBuffers) _accelerator.Fill(0f, buffer.Length, buffer);
    }

    /// <summary>Runs every op's backward in reverse order; gradients accumulate where values fan out.</summary>
    public void Backward(OpContext context)
    {
        context.BatchSize = BatchSize;
        for (int i = _graph.Nodes.Count - 1; i >= 0; i--)
        {
            Node node = _graph.Nodes[i];
            if (node.Op.IsView) continue;
            context.NodeIndex = node.Index;
            node.Op.Backward(context, _nodeTensors[i]);
        }
    }

    public void Dispose()
    {
        foreach (DeviceBuffer buffer in _owned) buffer.Dispose();
        _owned.Clear();
    }

    /// <summary>
    /// Per node: whether it sets its input's gradient. Walking the backward order, the first op
    /// to write a gradient buffer may set it, if it can, has that single input and the buffer is
    /// not seeded from outside; every later writer adds to what it left.
    /// </summary>
    private bool[] FindInputGradientSetters(ComputationGraph graph, IReadOnlyCollection<Value> seeded)
    {
        var setters = new bool[graph.Nodes.Count];
        var written = seeded.Select(v => _gradients[v.Id]).Where(g => g is not null).Select(g => g!.Buffer).ToHashSet();
        for (int i = graph.Nodes.Count - 1; i >= 0; i--)
        {
            Node node = graph.Nodes[i];
            if (node.Op.IsView) continue;
            for (int k = 0; k < node.Inputs.Count; k++)
            {
                if (_gradients[node.Inputs[k].Id] is not { } gradient) continue;
                bool first = written.Add(gradient.Buffer);
                if (first && k == 0 && node.Inputs.Count == 1 && node.Op.CanSetInputGradient) setters[i] = true;
            }
        }
        return setters;
    }

    private Tensor NewTensor(int[] sampleShape) => Own(BatchSize * ShapeOf.ElementCount(sampleShape), ShapeOf.WithBatch(BatchSize, sampleShape));

    private Tensor Own(int length, int[] shape)
    {
        DeviceBuffer buffer = _accelerator.Allocate(length);
        _owned.Add(buffer);
        return new Tensor(buffer, shape);
    }
}
