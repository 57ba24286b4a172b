using GpuNet.Accelerators;
using GpuNet.Parameters;

namespace GpuNet.Graph;

/// <summary>
/// The rewrites an <see cref="ExecutionPlan"/> makes of a graph as written, all in one place. Each
/// leaves every value and every gradient the same bits; each op declares which it can take part in.
/// <list type="bullet">
/// <item><b>ReLU fusion</b>: a ReLU whose output one op reads, as that op's only input, where the op
/// <see cref="Op.CanFuseRelu"/> (max pooling), runs inside that op, after it, on its output — a
/// quarter of the values for 2×2 pooling — and gets no buffers of its own.</item>
/// <item><b>Pooling fusion</b>: an op whose output only a max pooling reads (directly, or through a
/// fused ReLU), where it <see cref="Op.CanFusePooling"/> (a convolution), runs together with that
/// pooling as one step at its own place, so the accelerator need not write the full-size output
/// and its gradient at all.</item>
/// <item><b>Gradient setting</b>: walking the backward order, the first op to write a gradient buffer
/// sets it rather than adding to it, where the op <see cref="Op.CanSetInputGradient"/>, the buffer is
/// its only input's and nothing outside seeds it; the plan then need not zero it before the step.
/// Likewise for parameters: the first op to write a parameter's gradient sets it, where the op
/// <see cref="Op.CanSetParameterGradient"/> (a Dense kernel's dW GEMM), and the step does not zero it.</item>
/// </list>
/// A value whose gradient is seeded from outside (the loss's input) takes part in none of them.
/// </summary>
internal sealed class PlanRewrites
{
    private PlanRewrites(int nodes)
    {
        ReluFused = new bool[nodes];
        FusesRelu = new bool[nodes];
        FusedPooling = new Node?[nodes];
        PoolingFused = new bool[nodes];
    }

    /// <summary>Per node: a ReLU that runs inside the op that reads it (ReLU fusion).</summary>
    public bool[] ReluFused { get; }

    /// <summary>Per node: an op that runs the ReLU fused into it, after itself.</summary>
    public bool[] FusesRelu { get; }

    /// <summary>Per node: the max pooling it runs together with (pooling fusion), or null.</summary>
    public Node?[] FusedPooling { get; }

    /// <summary>Per node: a max pooling that runs with the op that makes its input, not on its own.</summary>
    public bool[] PoolingFused { get; }

    /// <summary>The ReLU and pooling fusions of <paramref name="graph"/>; none where <paramref name="fuse"/> is
    /// off.</summary>
    public static PlanRewrites Find(ComputationGraph graph, IReadOnlyCollection<Value> seeded, bool fuse)
    {
        var rewrites = new PlanRewrites(graph.Nodes.Count);
        if (!fuse) return rewrites;
        var links = new Links(graph);
        rewrites.FuseRelus(graph, links, seeded);
        rewrites.FusePoolings(graph, links, seeded);
        return rewrites;
    }

    /// <summary>
    /// Gradient setting: per node, whether it sets its input's gradient. <paramref name="skipped"/>
    /// are the nodes the plan does not run; <paramref name="gradientBuffer"/> gives each value's
    /// gradient buffer (null where it has none).
    /// </summary>
    public static bool[] FindGradientSetters(ComputationGraph graph, IReadOnlyCollection<Value> seeded, bool[] skipped,
        Func<Value, DeviceBuffer?> gradientBuffer)
    {
        var setters = new bool[graph.Nodes.Count];
        var written = seeded.Select(gradientBuffer).OfType<DeviceBuffer>().ToHashSet();
        for (int i = graph.Nodes.Count - 1; i >= 0; i--)
        {
            Node node = graph.Nodes[i];
            if (skipped[i]) continue;
            for (int k = 0; k < node.Inputs.Count; k++)
            {
                if (gradientBuffer(node.Inputs[k]) is not { } gradient) continue;
                bool first = written.Add(gradient);
                if (first && k == 0 && node.Inputs.Count == 1 && node.Op.CanSetInputGradient) setters[i] = true;
            }
        }
        return setters;
    }

    /// <summary>
    /// Gradient setting for parameters: per node, per parameter of its op, whether its backward sets
    /// that parameter's gradient, being the first in the backward order to write it. A parameter
    /// that two ops share is set by the later one (which runs backward first) and added to by the other.
    /// </summary>
    public static bool[][] FindParameterGradientSetters(ComputationGraph graph, bool[] skipped)
    {
        var setters = new bool[graph.Nodes.Count][];
        var written = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        for (int i = graph.Nodes.Count - 1; i >= 0; i--)
        {
            Node node = graph.Nodes[i];
            IReadOnlyList<Parameter> parameters = node.Op.Parameters;
            setters[i] = new bool[parameters.Count];
            if (skipped[i]) continue;
            for (int k = 0; k < parameters.Count; k++)
                setters[i][k] = written.Add(parameters[k]) && node.Op.CanSetParameterGradient(k);
        }
        return setters;
    }

    private void FuseRelus(ComputationGraph graph, Links links, IReadOnlyCollection<Value> seeded)
    {
        foreach (Node node in graph.Nodes)
        {
            if (!node.Op.IsRelu || seeded.Contains(node.Output)) continue;
            if (links.ReadCounts[node.Output.Id] != 1
                || links.Readers[node.Output.Id] is not { Op.CanFuseRelu: true, Inputs.Count: 1 } reader)
                continue;
            ReluFused[node.Index] = true;
            FusesRelu[reader.Index] = true;
        }
    }

    private void FusePoolings(ComputationGraph graph, Links links, IReadOnlyCollection<Value> seeded)
    {
        foreach (Node pooling in graph.Nodes)
        {
            if (pooling.Inputs.Count != 1 || !ReadAlone(pooling.Inputs[0], links, seeded, out Node? producer)) continue;
            // Through a ReLU fused into the pooling, to the op that makes the ReLU's input.
            if (ReluFused[producer.Index] && !ReadAlone(producer.Inputs[0], links, seeded, out producer)) continue;
            if (!producer.Op.CanFusePooling(pooling.Op)) continue;
            FusedPooling[producer.Index] = pooling;
            PoolingFused[pooling.Index] = true;
        }
    }

    /// <summary>Whether <paramref name="value"/> has one reader, no seeded gradient and a producer (not a graph
    /// input).</summary>
    private static bool ReadAlone(Value value, Links links, IReadOnlyCollection<Value> seeded,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Node? producer)
    {
        producer = links.Producers[value.Id];
        return links.ReadCounts[value.Id] == 1 && !seeded.Contains(value) && producer is not null;
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
}
