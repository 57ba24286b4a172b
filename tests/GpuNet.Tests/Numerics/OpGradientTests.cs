using GpuNet.Accelerators;
using GpuNet.Parameters;
using GpuNet.Ops;
using GpuNet.Tests.Accelerators;

namespace GpuNet.Tests.Numerics;

/// <summary>Every op's backward against finite differences, on every accelerator.</summary>
public sealed class OpGradientTests
{
    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void MatMulBias_gradients_match_finite_differences(string acceleratorName)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        var kernel = new Parameter("kernel", [7, 5], Initializer.Zeros);
        var bias = new Parameter("bias", [5], Initializer.Zeros);
        new GradientChecker(accelerator).Check(new MatMulBiasOp(kernel, bias), batch: 3, [7]);
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void MatMul_without_bias_gradients_match_finite_differences(string acceleratorName)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        var kernel = new Parameter("kernel", [10, 1], Initializer.Zeros);
        new GradientChecker(accelerator).Check(new MatMulBiasOp(kernel, null), batch: 1, [10]);
    }

    public static TheoryData<string, ActivationKind> ActivationCases()
    {
        var data = new TheoryData<string, ActivationKind>();
        foreach (string name in AcceleratorCatalog.Names)
            foreach (ActivationKind kind in Enum.GetValues<ActivationKind>()) data.Add(name, kind);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(ActivationCases))]
    public void Activation_gradients_match_finite_differences(string acceleratorName, ActivationKind kind)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        // Inputs stay 0.05 away from the kink of the ReLU family; ε is 0.01.
        var checker = new GradientChecker(accelerator) { Range = 3f, AvoidZero = 0.05f };
        checker.Check(new ActivationOp(kind, alpha: 0.3f), batch: 4, [3, 5]);
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Softmax_gradients_match_finite_differences(string acceleratorName)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        new GradientChecker(accelerator) { Range = 4f }.Check(new SoftmaxOp(), batch: 3, [10]);
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Add_gradients_match_finite_differences(string acceleratorName)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        new GradientChecker(accelerator).Check(new AddOp(), batch: 2, [7], [7]);
    }
}
