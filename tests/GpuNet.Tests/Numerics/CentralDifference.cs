using GpuNet.Diagnostics;

namespace GpuNet.Tests.Numerics;

/// <summary>
/// Compares an analytic gradient (of a whole graph, or of one loss) with central differences of
/// its scalar loss, one weight at a time: (L(w + ε) − L(w − ε)) / 2ε.
/// </summary>
public static class CentralDifference
{
    /// <param name="loss">Runs the graph forward with these weights; the weights are restored after each
    /// element.</param>
    /// <param name="stride">Checks every stride-th element only, for tensors too large to check whole.</param>
    public static void AssertMatches(float[] weights, float[] analytic, Func<float[], double> loss, float epsilon,
        Tolerance tolerance, string name, int stride = 1)
    {
        for (int i = 0; i < weights.Length; i += stride)
        {
            float original = weights[i];
            weights[i] = original + epsilon;
            double plus = loss(weights);
            weights[i] = original - epsilon;
            double minus = loss(weights);
            weights[i] = original;
            double numeric = (plus - minus) / (2.0 * epsilon);
            Assert.True(tolerance.Accepts(analytic[i], numeric),
                $"{name}[{i}]: analytic {analytic[i]}, numeric {numeric}");
        }
    }
}
