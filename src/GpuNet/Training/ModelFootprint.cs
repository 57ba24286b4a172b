using GpuNet.Accelerators;
using GpuNet.Graph;
using GpuNet.Layers;
using GpuNet.Models;
using GpuNet.Parameters;
using GpuNet.Optimizers;
using GpuNet.Tensors;

namespace GpuNet.Training;

/// <summary>
/// Every buffer a <see cref="Trainer"/> allocates to train a model at one batch size, counted in
/// 64 bits from the shapes alone, before anything is allocated. A model whose buffer one int
/// cannot index, or that the memory at hand cannot hold, is refused with the layer named and the
/// bytes it would need — rather than wrapping an int, or failing part-way after minutes of work.
/// </summary>
/// <remarks>
/// The count follows the trainer and its execution plan: weights, their gradients and the
/// optimizer's slots; for the training batch (and a shorter last batch) every op's output, its
/// gradient and its workspaces, the targets and per-sample losses; the same without gradients for
/// the evaluation batch; and the host slots of the batch prefetcher. Where the plan shares a
/// buffer (a ReLU run inside the pooling after it) the count does not, so it is an upper bound.
/// </remarks>
public sealed class ModelFootprint
{
    /// <summary>One buffer: which layer owns it, what it holds, and its length in float32 values.</summary>
    public sealed record Buffer(int LayerIndex, string What, BufferRole Role, int Batch, long FixedFloats,
        long FloatsPerSample)
    {
        public long Floats => Saturating(FixedFloats, FloatsPerSample, Batch);
    }

    /// <summary>What a buffer is for, to break the total down in a message.</summary>
    public enum BufferRole { Weights, OptimizerState, Training, Evaluation, HostBatches }

    private readonly ModelGraph _model;
    private readonly string _optimizer;

    private ModelFootprint(ModelGraph model, string optimizer, int batchSize, IReadOnlyList<Buffer> buffers)
    {
        _model = model;
        _optimizer = optimizer;
        BatchSize = batchSize;
        Buffers = buffers;
    }

    public int BatchSize { get; }

    public IReadOnlyList<Buffer> Buffers { get; }

    public long TotalBytes => Sum(Buffers);

    public long BytesOf(BufferRole role) => Sum(Buffers.Where(b => b.Role == role));

    /// <param name="trainingSamples">The training set's size, when known: a shorter last batch gets buffers of its
    /// own.</param>
    /// <param name="accelerator">The accelerator that will run the model: it sizes the convolutions'
    /// workspaces.</param>
    public static ModelFootprint Of(ModelGraph model, IAccelerator accelerator, Optimizer optimizer, int batchSize,
        int? trainingSamples = null, int evaluationBatchSize = Trainer.EvaluationBatchSize)
    {
        if (batchSize <= 0) throw new GpuNetException($"batch size must be a positive integer, got {batchSize}");
        var buffers = new List<Buffer>();
        int slots = optimizer.SlotNames.Count;
        for (int i = 0; i < model.Layers.Count; i++)
        {
            foreach (Parameter p in model.Layers[i].Parameters)
            {
                buffers.Add(new Buffer(i, p.Name, BufferRole.Weights, 0, p.Length, 0));
                if (!p.Trainable) continue;
                buffers.Add(new Buffer(i, $"gradient of {p.Name}", BufferRole.Weights, 0, p.Length, 0));
                for (int s = 0; s < slots; s++)
                {
                    string slot = $"{optimizer.Name} slot '{optimizer.SlotNames[s]}' of {p.Name}";
                    buffers.Add(new Buffer(i, slot, BufferRole.OptimizerState, 0, p.Length, 0));
                }
            }
        }
        AddPlan(buffers, model, accelerator, batchSize, withGradients: true, BufferRole.Training);
        int lastBatch = trainingSamples is > 0 and var n ? n % batchSize : 0;
        if (lastBatch > 0) AddPlan(buffers, model, accelerator, lastBatch, withGradients: true, BufferRole.Training);
        AddPlan(buffers, model, accelerator, evaluationBatchSize, withGradients: false, BufferRole.Evaluation);
        // The prefetcher's two slots of images and one-hot targets, and evaluation's one.
        long hostPerSample = (long)model.Input.SampleSize + model.Output.SampleSize;
        buffers.Add(new Buffer(0, "prepared training batches", BufferRole.HostBatches, batchSize, 0,
            2 * hostPerSample));
        buffers.Add(new Buffer(0, "evaluation batch", BufferRole.HostBatches, evaluationBatchSize, 0, hostPerSample));
        return new ModelFootprint(model, optimizer.Name, batchSize, buffers);
    }

    /// <summary>Refuses a model with a buffer longer than one buffer may be (and an int may index).</summary>
    public void CheckIndexLimits()
    {
        Buffer? largest = Buffers.MaxBy(b => b.Floats);
        if (largest is null || largest.Floats <= ShapeOf.MaximumBufferLength) return;
        bool perSample = largest.FloatsPerSample > 0;
        long room = ShapeOf.MaximumBufferLength - largest.FixedFloats;
        long largestBatch = perSample ? Math.Max(0, room / largest.FloatsPerSample) : 0;
        throw AtLayer(largest.LayerIndex,
            $"its {largest.What}{(perSample ? $" for a batch of {largest.Batch:N0}" : "")} would hold " +
            $"{largest.Floats:N0} values, {ByteSize.OfFloats(largest.Floats)}, more than the " +
            $"{ShapeOf.MaximumBufferLength:N0} one buffer can hold; " +
            (perSample ? $"use a batch_size of at most {largestBatch:N0}, or a smaller layer" : "use a smaller layer"));
    }

    /// <summary>Refuses a model whose buffers together need more than <paramref name="availableBytes"/>.</summary>
    /// <param name="availableBytes">What the accelerator can hold: the host's memory for the CPU, the device's for a
    /// GPU.</param>
    /// <param name="where">Names that memory in the message, e.g. "of memory this machine has available".</param>
    public void CheckFits(long availableBytes, string where)
    {
        CheckIndexLimits();
        long total = TotalBytes;
        if (total <= availableBytes) return;
        var byLayer = Buffers.GroupBy(b => b.LayerIndex).Select(g => (Layer: g.Key, Bytes: Sum(g))).MaxBy(g => g.Bytes);
        string parts = string.Join(", ", new[]
        {
            (BufferRole.Weights, "weights and gradients"),
            (BufferRole.OptimizerState, $"{_optimizer}'s state"),
            (BufferRole.Training, "training activations and workspaces"),
            (BufferRole.Evaluation, "evaluation activations"),
            (BufferRole.HostBatches, "prepared batches"),
        }.Where(p => BytesOf(p.Item1) > 0).Select(p => $"{ByteSize.Short(BytesOf(p.Item1))} of {p.Item2}"));
        throw AtLayer(byLayer.Layer,
            $"training this model with batch_size {BatchSize:N0} needs {ByteSize.Format(total)}: {parts}; " +
            $"this layer alone needs {ByteSize.Short(byLayer.Bytes)}. That is more than the " +
            $"{ByteSize.Short(availableBytes)} {where}; " +
            "use fewer units or filters, or a smaller batch_size");
    }

    private LayerException AtLayer(int index, string reason) => new(index, _model.Layers[index].Layer.TypeName, reason);

    /// <summary>An execution plan's buffers, as <see cref="ExecutionPlan"/> and <see cref="StepBuffers"/> allocate
    /// them.</summary>
    private static void AddPlan(List<Buffer> buffers, ModelGraph model, IAccelerator accelerator, int batch,
        bool withGradients, BufferRole role)
    {
        string pass = withGradients ? "training" : "evaluation";
        int classes = model.Output.SampleSize;
        buffers.Add(new Buffer(0, $"{pass} input", role, batch, 0, model.Input.SampleSize));
        buffers.Add(new Buffer(model.Layers.Count - 1, $"{pass} targets", role, batch, 0, classes));
        buffers.Add(new Buffer(model.Layers.Count - 1, $"{pass} losses per sample", role, batch, 0, 1));
        // A view shares its input's buffers, and its gradient too where the input has one (data has none).
        var hasGradient = new HashSet<Value>();
        foreach (Node node in model.Graph.Nodes)
        {
            int layer = LayerOf(model, node);
            bool view = node.Op.IsView;
            long size = node.Output.SampleSize;
            if (!view) buffers.Add(new Buffer(layer, $"{pass} output ({node.Op.Name})", role, batch, 0, size));
            if (withGradients)
            {
                if (!view || !hasGradient.Contains(node.Inputs[0]))
                    buffers.Add(new Buffer(layer, $"{pass} output's gradient ({node.Op.Name})", role, batch, 0, size));
                hasGradient.Add(node.Output);
            }
            foreach (var (fixedFloats, perSample) in WorkspacesOf(node, accelerator))
                buffers.Add(new Buffer(layer, $"{pass} workspace ({node.Op.Name})", role, batch, fixedFloats,
                    perSample));
        }
    }

    /// <summary>
    /// Each workspace as a fixed part and a part per sample. Every op's scratch grows linearly with
    /// the batch (a mask or an im2col matrix per sample, batch norm's statistics fixed), so its
    /// lengths for batches of one and two give its length for any batch without an int product
    /// that could wrap on the way.
    /// </summary>
    private static IEnumerable<(long Fixed, long PerSample)> WorkspacesOf(Node node, IAccelerator accelerator)
    {
        int[][] shapes = node.Inputs.Select(v => v.SampleShape).ToArray();
        int[] one;
        try
        {
            one = node.Op.WorkspaceLengths(1, shapes, accelerator);
        }
        catch (OverflowException)
        {
            // Past an int for a single sample: too long at any batch size.
            return [(0, (long)ShapeOf.MaximumBufferLength + 1)];
        }
        try
        {
            int[] two = node.Op.WorkspaceLengths(2, shapes, accelerator);
            return one.Zip(two, (a, b) => (Fixed: 2L * a - b, PerSample: (long)b - a));
        }
        catch (OverflowException)
        {
            // Past an int for two samples: counting all of one sample's length per sample can only overstate it.
            return one.Select(a => (Fixed: 0L, PerSample: (long)a));
        }
    }

    // Nodes are added layer by layer in order, so a node belongs to the first layer whose output comes at or after it.
    private static int LayerOf(ModelGraph model, Node node)
    {
        for (int i = 0; i < model.Layers.Count; i++)
            if (model.Layers[i].Output.Id >= node.Output.Id) return i;
        return model.Layers.Count - 1;
    }

    private static long Sum(IEnumerable<Buffer> buffers)
    {
        long bytes = 0;
        foreach (Buffer b in buffers)
        {
            long more = ByteSize.Floats(b.Floats);
            bytes = bytes > long.MaxValue - more ? long.MaxValue : bytes + more;
        }
        return bytes;
    }

    private static long Saturating(long fixedFloats, long perSample, int batch) =>
        perSample > 0 && perSample > (long.MaxValue - fixedFloats) / batch
            ? long.MaxValue
            : fixedFloats + perSample * batch;
}
