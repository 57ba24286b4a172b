using GpuNet.Accelerators;
using GpuNet.Graph;
using GpuNet.Tensors;

namespace GpuNet.Tests.Numerics;

/// <summary>One forward and backward of a graph through a plan, with loss Σ output · projection.</summary>
public static class GraphStep
{
    /// <summary>The output and the gradient of every parameter of the graph (in <see
    /// cref="ComputationGraph.Parameters"/> order), from the parameters' current values.</summary>
    public static (float[] Output, float[][] Gradients) Run(IAccelerator accelerator, ComputationGraph graph,
        ExecutionPlan plan, Value x, float[] inputs, Value output, float[] projection)
    {
        var context = new OpContext(accelerator) { Training = true };
        accelerator.Upload(inputs, plan[x].Buffer);
        plan.Forward(context);
        float[] values = Download(accelerator, plan[output]);
        plan.ZeroGradients();
        foreach (var p in graph.Parameters) accelerator.Fill(0f, p.Length, p.Gradient.Buffer);
        accelerator.Upload(projection, plan.GradientOf(output)!.Buffer);
        plan.Backward(context);
        return (values, graph.Parameters.Select(p => Download(accelerator, p.Gradient)).ToArray());
    }

    public static float[] Download(IAccelerator accelerator, Tensor tensor)
    {
        float[] values = new float[tensor.Length];
        accelerator.Download(tensor.Buffer, values);
        return values;
    }
}
