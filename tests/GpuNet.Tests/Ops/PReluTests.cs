using GpuNet.Parameters;
using GpuNet.Ops;
using GpuNet.Tests.Accelerators;
using GpuNet.Tests.Numerics;

namespace GpuNet.Tests.Ops;

public sealed class PReluTests
{
    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void PRelu_gradients_match_finite_differences(string acceleratorName)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        var op = new PReluOp(new Parameter("alpha", [2, 3, 3], Initializer.Zeros));
        // Inputs stay 0.05 from the kink at 0; ε is 0.01.
        new GradientChecker(accelerator) { AvoidZero = 0.05f, MaxChecksPerTensor = 100 }.Check(op, batch: 3, [2, 3, 3]);
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Each_unit_has_its_own_slope(string acceleratorName)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        var op = new PReluOp(new Parameter("alpha", [3], Initializer.Zeros));
        op.Alpha.Allocate(accelerator);
        accelerator.Upload([0f, 0.5f, 2f], op.Alpha.Value.Buffer);
        float[] y = ConvolutionTests.RunForward(accelerator, op, 2, [3], [-1f, -2f, -3f, 4f, 5f, -6f]);
        Assert.Equal([0f, -1f, -6f, 4f, 5f, -12f], y);
    }
}
