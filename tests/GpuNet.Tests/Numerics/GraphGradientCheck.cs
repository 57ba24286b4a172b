using GpuNet.Diagnostics;
using GpuNet.Accelerators;
using GpuNet.Graph;
using GpuNet.Parameters;

namespace GpuNet.Tests.Numerics;

/// <summary>
/// One training step of a whole graph through its execution plan, loss Σ output · projection:
/// the analytic gradient of one parameter against central differences of that loss.
/// </summary>
public static class GraphGradientCheck
{
    /// <param name="inputs">The batch for x; its length gives the batch size.</param>
    /// <param name="poisoned">Values whose gradient buffers hold NaN before the step: the plan must zero or set each of
    /// them. The parameter gradients the plan says its ops set hold NaN too.</param>
    public static void AssertMatches(IAccelerator accelerator, ComputationGraph graph, Value x, Value output,
        Parameter kernel,
        float[] weights, float[] inputs, float[] projection, IReadOnlyList<Value> poisoned, float epsilon,
            Tolerance tolerance)
    {
        using var plan = new ExecutionPlan(graph, accelerator, batchSize: inputs.Length / x.SampleSize,
            withGradients: true);
        var context = new OpContext(accelerator) { Training = true };
        accelerator.Upload(inputs, plan[x].Buffer);
        double Loss(float[] w)
        {
            accelerator.Upload(w, kernel.Value.Buffer);
            plan.Forward(context);
            float[] y = new float[projection.Length];
            accelerator.Download(plan[output].Buffer, y);
            return y.Select((v, i) => (double)v * projection[i]).Sum();
        }

        Loss(weights);
        foreach (Value v in poisoned)
            accelerator.Fill(float.NaN, plan.GradientOf(v)!.Length, plan.GradientOf(v)!.Buffer);
        plan.ZeroGradients();
        // As a training step: zero the parameter gradients the ops add to, leave stale (NaN) those they set.
        foreach (Parameter p in graph.Parameters)
            accelerator.Fill(plan.SetsGradientOf(p) ? float.NaN : 0f, p.Length, p.Gradient.Buffer);
        accelerator.Upload(projection, plan.GradientOf(output)!.Buffer);
        plan.Backward(context);
        float[] analytic = new float[kernel.Length];
        accelerator.Download(kernel.Gradient.Buffer, analytic);

        CentralDifference.AssertMatches(weights, analytic, Loss, epsilon, tolerance, kernel.Name);
    }
}
