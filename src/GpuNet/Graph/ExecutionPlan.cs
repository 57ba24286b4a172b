using GpuNet.Accelerators;
using GpuNet.Parameters;
using GpuNet.Tensors;

namespace GpuNet.Graph;

/// <summary>
/// Every activation, gradient and workspace buffer of a graph for one batch size, allocated
/// once; running a step allocates nothing. Views (reshape) share their input's buffers. The plan
/// runs the graph with the rewrites of <see cref="PlanRewrites"/>: a fused ReLU's output shares
/// its input's buffers (and holds the values before the ReLU); a fused pooling runs at the place of
/// the op that makes its input.
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
    // Nodes the step passes over: views, fused ReLUs and fused poolings.
    private readonly bool[] _skipped;
    // Per node: the max pooling run together with it (pooling fusion), if any.
    private readonly Node?[] _fusedPooling;
    // Parameters whose gradient an op's backward sets.
    private readonly HashSet<Parameter> _parametersSet;

    /// <param name="seededGradients">
    /// Values whose gradient is written from outside before <see cref="Backward"/> (the loss's
    /// input): no op may set those, only add to them.
    /// </param>
    /// <param name="fuse">
    /// Whether to make the ReLU and pooling fusions of <see cref="PlanRewrites"/>; off to compare
    /// against the graph as written.
    /// </param>
    public ExecutionPlan(ComputationGraph graph, IAccelerator accelerator, int batchSize, bool withGradients,
        IReadOnlyCollection<Value>? seededGradients = null, bool fuse = true)
    {
        _graph = graph;
        _accelerator = accelerator;
        BatchSize = batchSize;
        _values = new Tensor[graph.ValueCount];
        _gradients = new Tensor?[graph.ValueCount];
        foreach (Value input in graph.Inputs) _values[input.Id] = NewTensor(input.SampleShape);
        IReadOnlyCollection<Value> seeded = seededGradients ?? [];
        PlanRewrites rewrites = PlanRewrites.Find(graph, seeded, fuse);
        bool[] reluFused = rewrites.ReluFused;
        _fusedPooling = rewrites.FusedPooling;
        _skipped = graph.Nodes.Select(n => n.Op.IsView || reluFused[n.Index]
            || rewrites.PoolingFused[n.Index]).ToArray();

        foreach (Node node in graph.Nodes)
        {
            Value output = node.Output;
            if (reluFused[node.Index])
            {
                _values[output.Id] = _values[node.Inputs[0].Id];
                continue;
            }
            if (node.Op.IsView)
            {
                Value source = node.Inputs[0];
                _values[output.Id] = new Tensor(_values[source.Id].Buffer,
                    ShapeOf.WithBatch(batchSize, output.SampleShape));
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
                if (reluFused[node.Index])
                {
                    _gradients[output.Id] = _gradients[node.Inputs[0].Id];
                    continue;
                }
                _gradients[output.Id] = node.Op.IsView && _gradients[node.Inputs[0].Id] is { } shared
                    ? new Tensor(shared.Buffer, ShapeOf.WithBatch(batchSize, output.SampleShape))
                    : NewTensor(output.SampleShape);
            }
        }

        bool[] setsInputGradient = PlanRewrites.FindGradientSetters(graph, seeded, _skipped,
            v => _gradients[v.Id]?.Buffer);
        var setBuffers = graph.Nodes.Where(n => setsInputGradient[n.Index]).Select(n =>
            _gradients[n.Inputs[0].Id]!.Buffer).ToHashSet();
        // An op run with its pooling sets its output's gradient (its only writer) where it uses it at all.
        foreach (Node node in graph.Nodes)
            if (_fusedPooling[node.Index] is not null && _gradients[node.Output.Id] is { } fusedGradient)
                setBuffers.Add(fusedGradient.Buffer);
        _gradientBuffers = _gradients.Where(g => g is not null).Select(g => g!.Buffer).Distinct().Where(b =>
            !setBuffers.Contains(b)).ToArray();
        bool[][] setsParameterGradients = withGradients
            ? PlanRewrites.FindParameterGradientSetters(graph, _skipped)
            : graph.Nodes.Select(n => new bool[n.Op.Parameters.Count]).ToArray();
        _parametersSet = graph.Nodes.SelectMany(n => n.Op.Parameters.Where((_, k) =>
            setsParameterGradients[n.Index][k])).ToHashSet<Parameter>(ReferenceEqualityComparer.Instance);
        _nodeTensors = graph.Nodes.Select(node =>
        {
            var inputShapes = node.Inputs.Select(v => v.SampleShape).ToArray();
            Tensor[] workspaces = node.Op.WorkspaceLengths(batchSize, inputShapes, accelerator).Select(length =>
                Own(length, [length])).ToArray();
            return new OpTensors(
                node.Inputs.Select(v => _values[v.Id]).ToArray(),
                _values[node.Output.Id],
                node.Inputs.Select(v => _gradients[v.Id]).ToArray(),
                _gradients[node.Output.Id],
                workspaces.FirstOrDefault())
            {
                Workspaces = workspaces,
                SetsInputGradient = setsInputGradient[node.Index],
                SetsParameterGradients = setsParameterGradients[node.Index],
                FusesRelu = rewrites.FusesRelu[node.Index],
                FusedReluGradient = rewrites.FusesRelu[node.Index] && node.Op.NeedsFusedReluGradient && withGradients
                    ? NewTensor(node.Output.SampleShape) : null,
            };
        }).ToArray();
    }

    public int BatchSize { get; }

    /// <summary>
    /// Whether <see cref="Backward"/> sets <paramref name="parameter"/>'s gradient rather than adding to
    /// it (<see cref="PlanRewrites"/>): whoever runs the step need not zero that one first.
    /// </summary>
    public bool SetsGradientOf(Parameter parameter) => _parametersSet.Contains(parameter);

    /// <summary>The float32 values of every buffer this plan allocated (views and shared buffers not counted
    /// again).</summary>
    public long AllocatedFloats => _owned.Sum(b => (long)b.Length);

    public Tensor this[Value value] => _values[value.Id];

    public Tensor? GradientOf(Value value) => _gradients[value.Id];

    public void Forward(OpContext context)
    {
        context.BatchSize = BatchSize;
        // By index: a foreach over the interface would allocate an enumerator every step.
        for (int i = 0; i < _graph.Nodes.Count; i++)
        {
            Node node = _graph.Nodes[i];
            if (_skipped[i]) continue;
            context.NodeIndex = node.Index;
            if (_fusedPooling[i] is { } pooling)
                node.Op.ForwardFused(context, _nodeTensors[i], pooling.Op, _nodeTensors[pooling.Index]);
            else node.Op.Forward(context, _nodeTensors[node.Index]);
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

    /// <summary>Whether <see cref="ZeroGradients"/> zeroes <paramref name="value"/>'s gradient, for tests.</summary>
    internal bool ZeroesGradientOf(Value value) =>
        _gradients[value.Id] is { } gradient && _gradientBuffers.Contains(gradient.Buffer);

    /// <summary>Runs every op's backward in reverse order; gradients accumulate where values fan out.</summary>
    public void Backward(OpContext context)
    {
        context.BatchSize = BatchSize;
        for (int i = _graph.Nodes.Count - 1; i >= 0; i--)
        {
            Node node = _graph.Nodes[i];
            if (_skipped[i]) continue;
            context.NodeIndex = node.Index;
            if (_fusedPooling[i] is { } pooling)
                node.Op.BackwardFused(context, _nodeTensors[i], pooling.Op, _nodeTensors[pooling.Index]);
            else node.Op.Backward(context, _nodeTensors[i]);
        }
    }

    public void Dispose()
    {
        foreach (DeviceBuffer buffer in _owned) buffer.Dispose();
        _owned.Clear();
    }

    private Tensor NewTensor(int[] sampleShape) =>
        Own(checked(BatchSize * ShapeOf.ElementCount(sampleShape)), ShapeOf.WithBatch(BatchSize, sampleShape));

    private Tensor Own(int length, int[] shape)
    {
        DeviceBuffer buffer = _accelerator.Allocate(length);
        _owned.Add(buffer);
        return new Tensor(buffer, shape);
    }
}
