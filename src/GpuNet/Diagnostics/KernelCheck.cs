using GpuNet.Accelerators;

namespace GpuNet.Diagnostics;

/// <summary>
/// One accelerator operation on fixed small inputs, compared between a reference accelerator (the
/// CPU) and the one under test.
/// </summary>
/// <param name="Operation">The <see cref="IAccelerator"/> member it calls.</param>
/// <param name="Case">What distinguishes this check from the operation's others (sizes, variant).</param>
/// <param name="Outputs">Indices of the inputs the call writes.</param>
public sealed record KernelCheck(string Operation, string Case, Tolerance Tolerance, float[][] Inputs, int[] Outputs,
    Action<IAccelerator, DeviceBuffer[]> Kernel)
{
    public KernelCheckResult Run(IAccelerator reference, IAccelerator device)
    {
        float[][] expected = KernelComparison.Run(reference, Inputs, Outputs, Kernel);
        float[][] actual = KernelComparison.Run(device, Inputs, Outputs, Kernel);
        double worst = 0;
        string? mismatch = null;
        for (int o = 0; o < Outputs.Length; o++)
        {
            for (int i = 0; i < expected[o].Length; i++)
            {
                double difference = Math.Abs((double)actual[o][i] - expected[o][i]);
                if (!(difference <= worst)) worst = double.IsNaN(difference) ? double.PositiveInfinity : difference;
            }
            int bad = Tolerance.FirstMismatch(actual[o], expected[o]);
            if (bad >= 0 && mismatch is null)
                mismatch = $"buffer {Outputs[o]}[{bad}]: {actual[o][bad]:R}, expected {expected[o][bad]:R}";
        }
        return new KernelCheckResult(this, worst, mismatch);
    }
}

/// <param name="WorstDifference">The largest |actual − expected| over every output element.</param>
/// <param name="Mismatch">The first element out of tolerance, or null where all agree.</param>
public sealed record KernelCheckResult(KernelCheck Check, double WorstDifference, string? Mismatch)
{
    public bool Passed => Mismatch is null;
}
