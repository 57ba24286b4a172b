using GpuNet.Accelerators;
using GpuNet.Ops;
using GpuNet.Tensors;

namespace GpuNet.Graph;

/// <summary>
/// Every activation, gradient and workspace buffer of a graph for one batch size, allocated
/// once; running a step allocates nothing. Views (reshape) share their input's buffers. A ReLU
/// whose only reader can apply it itself (<see cref="Op.CanApplyReluAfter"/>: max pooling) runs
/// inside that reader, after it; its output then shares its input's buffers and holds the
/// values before the ReLU. A convolution whose output only a max pooling reads (directly or
/// through such a ReLU) runs together with the pooling, as one step at the convolution's place
/// (<see cref="Conv2DOp.ForwardPooled"/>): the accelerator need not write the full-size output
/// and its gradient at all.
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
    // Nodes the step passes over: views, ReLUs their reader applies, max poolings run with their convolution.
    private readonly bool[] _skipped;
    // Per convolution node: the max pooling node run together with it, if any.
    private readonly Node?[] _pooledBy;

    /// <param name="seededGradients">
    /// Values whose gradient is written from outside before <see cref="Backward"/> (the loss's
    /// input): no op may set those, only add to them.
    /// </param>
    /// <param name="moveRelus">
    /// Whether a ReLU may run inside the op that reads it, and a convolution together with its
    /// max pooling; off to compare against the plain graph.
    /// </param>
    public ExecutionPlan(ComputationGraph graph, IAccelerator accelerator, int batchSize, bool withGradients, IReadOnlyCollection<Value>? seededGradients = null, bool moveRelus = true)
    {
        _graph = graph;
        _accelerator = accelerator;
        BatchSize = batchSize;
        _values = new Tensor[graph.ValueCount];
        _gradients = new Tensor?[graph.ValueCount];
        foreach (Value input in graph.Inputs) _values[input.Id] = NewTensor(input.SampleShape);
        IReadOnlyCollection<Value> seeded = seededGradients ?? [];
        bool[] appliesRelu = new bool[graph.Nodes.Count], reluMoved = new bool[graph.Nodes.Count];
        _pooledBy = new Node?[graph.Nodes.Count];
        if (moveRelus)
        {
            var links = new Links(graph);
            FindMovableRelus(graph, links, seeded, reluMoved, appliesRelu);
            FindPooledConvolutions(graph, links, seeded, reluMoved, _pooledBy);
        }
        var pooledWithConvolution = _pooledBy.Where(p => p is not null).Select(p => p!.Index).ToHashSet();
        _skipped = graph.Nodes.Select(n => n.Op.IsView || reluMoved[n.Index] || pooledWithConvolution.Contains(n.Index)).ToArray();

        foreach (Node node in graph.Nodes)
        {
            Value output = node.Output;
            if (reluMoved[node.Index])
            {
                _values[output.Id] = _values[node.Inputs[0].Id];
                continue;
            }
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
                if (reluMoved[node.Index])
                {
                    _gradients[output.Id] = _gradients[node.Inputs[0].Id];
                    continue;
                }
                _gradients[output.Id] = node.Op.IsView && _gradients[node.Inputs[0].Id] is { } shared
                    ? new Tensor(shared.Buffer, ShapeOf.WithBatch(batchSize, output.SampleShape))
                    : NewTensor(output.SampleShape);
            }
        }

        bool[] setsInputGradient = FindInputGradientSetters(graph, seeded);
        var setBuffers = graph.Nodes.Where(n => setsInputGradient[n.Index]).Select(n => _gradients[n.Inputs[0].Id]!.Buffer).ToHashSet();
        // A convolution run with its pooling sets its output's gradient (its only writer) where it uses it at all.
        foreach (Node node in graph.Nodes)
            if (_pooledBy[node.Index] is not null && _gradients[node.Output.Id] is { } convolutionGradient) setBuffers.Add(convolutionGradient.Buffer);
        _gradientBuffers = _gradients.Where(g => g is not null).Select(g => g!.Buffer).Distinct().Where(b => !setBuffers.Contains(b)).ToArray();
        _nodeTensors = graph.Nodes.Select(node =>
        {
            var inputShapes = node.Inputs.Select(v => v.SampleShape).ToArray();
            Tensor[] workspaces = node.Op.WorkspaceLengths(batchSize, inputShapes, accelerator).Select(length => Own(length, [length])).ToArray();
            return new OpTensors(
                node.Inputs.Select(v => _values[v.Id]).ToArray(),
                _values[node.Output.Id],
                node.Inputs.Select(v => _gradients[v.Id]).ToArray(),
                _gradients[node.Output.Id],
                workspaces.FirstOrDefault())
            {
                Workspaces = workspaces,
                SetsInputGradient = setsInputGradient[node.Index],
                AppliesRelu = appliesRelu[node.Index],
                ReluGradient = appliesRelu[node.Index] && withGradients ? NewTensor(node.Output.SampleShape) : null,
            };
        }).ToArray();
    }

    public int BatchSize { get; }

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
            if (_pooledBy[i] is { } pooling) ((Conv2DOp)node.Op).ForwardPooled(context, _nodeTensors[i], (Pool2DOp)pooling.Op, _nodeTensors[pooling.Index]);
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

    /// <summary>Runs every op's backward in reverse order; gradients accumulate where values fan out.</summary>
    public void Backward(OpContext context)
    {
        context.BatchSize = BatchSize;
        for (int i = _graph.Nodes.Count - 1; i >= 0; i--)
        {
            Node node = _graph.Nodes[i];
            if (_skipped[i]) continue;
            context.NodeIndex = node.Index;
            if (_pooledBy[i] is { } pooling) ((Conv2DOp)node.Op).BackwardPooled(context, _nodeTensors[i], (Pool2DOp)pooling.Op, _nodeTensors[pooling.Index]);
            else node.Op.Backward(context, _nodeTensors[i]);
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
            if (_skipped[i]) continue;
            for (int k = 0; k < node.Inputs.Count; k++)
            {
                if (_gradients[node.Inputs[k].Id] is not { } gradient) continue;
                bool first = written.Add(gradient.Buffer);
                if (first && k == 0 && node.Inputs.Count == 1 && node.Op.CanSetInputGradient) setters[i] = true;
            }
        }
        return setters;
    }

    /// <summary>
    /// The ReLUs to run inside their reader: a ReLU whose output one op reads, as its only input,
    /// where that op <see cref="Op.CanApplyReluAfter"/> and nothing seeds the output's gradient.
    /// </summary>
    private static void FindMovableRelus(ComputationGraph graph, Links links, IReadOnlyCollection<Value> seeded, bool[] moved, bool[] applies)
    {
        foreach (Node node in graph.Nodes)
        {
            if (!node.Op.IsRelu || seeded.Contains(node.Output)) continue;
            if (links.ReadCounts[node.Output.Id] != 1 || links.Readers[node.Output.Id] is not { Op.CanApplyReluAfter: true, Inputs.Count: 1 } reader) continue;
            moved[node.Index] = true;
            applies[reader.Index] = true;
        }
    }

    /// <summary>
    /// The convolutions to run with their max pooling: a convolution whose output one max pooling
    /// reads, as its only input, either directly or through a ReLU moved into that pooling, where
    /// nothing seeds the gradient of the convolution's output or of the ReLU's.
    /// </summary>
    private static void FindPooledConvolutions(ComputationGraph graph, Links links, IReadOnlyCollection<Value> seeded, bool[] reluMoved, Node?[] pooledBy)
    {
        int[] readCounts = links.ReadCounts;
        Node?[] producers = links.Producers;
        foreach (Node pooling in graph.Nodes)
        {
            if (pooling.Op is not Pool2DOp { Kind: PoolingKind.Max } || pooling.Inputs.Count != 1) continue;
            Value read = pooling.Inputs[0];
            if (readCounts[read.Id] != 1 || seeded.Contains(read) || producers[read.Id] is not { } producer) continue;
            if (reluMoved[producer.Index])
            {
                read = producer.Inputs[0];
                if (readCounts[read.Id] != 1 || seeded.Contains(read) || producers[read.Id] is not { } convolution) continue;
                producer = convolution;
            }
            if (producer.Op is Conv2DOp) pooledBy[producer.Index] = pooling;
        }
    }

    /// <summary>Per value: the node that makes it, how many inputs read it, and (when one does) its reader.</summary>
    private sealed class Links
    {
        public Links(ComputationGraph graph)
        {
            Producers = new Node?[graph.ValueCount];
            Readers = new Node?[graph.ValueCount];
            ReadCounts = new int[graph.ValueCount];
            foreach (Node node in graph.Nodes)
            {
                Producers[node.Output.Id] = node;
                foreach (Value input in node.Inputs)
                {
                    Readers[input.Id] = node;
                    ReadCounts[input.Id]++;
                }
            }
        }

        public Node?[] Producers { get; }

        /// <summary>The last node to read each value; the only one where its read count is 1.</summary>
        public Node?[] Readers { get; }

        public int[] ReadCounts { get; }
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
