using GpuNet.Diagnostics;
using GpuNet.Accelerators.Cpu;
using GpuNet.Tests.Numerics;
using GpuNet.Accelerators.Cpu.Reference;
using GpuNet.Accelerators.Cpu.Fast;
using GpuNet.Accelerators.Cpu.Contracts;
using GpuNet.Accelerators.Cpu.Threads;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// The vectorised batch normalization against the reference <see cref="ReferenceBatchNorm"/>: after a
/// Dense layer (per feature) bit for bit, after a convolution (per channel) within a float's
/// rounding of the statistics and exactly elementwise; and the same bits for any thread count.
/// </summary>
[Collection(CpuThreadCountCollection.Name)]
public sealed class FastBatchNormTests
{
    // batch, channels, spatial: one row, fewer features than a vector, a vector and a bit, the
    // 8-layer MLP's 100 × 256, odd rows and features; planes shorter than a vector, 3 × 3, 7 × 7,
    // 12 × 12 and 26 × 26 (Chollet's first layer) with odd channel counts.
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 9, 1 }, { 5, 7, 1 }, { 3, 11, 1 }, { 100, 256, 1 }, { 37, 259, 1 }, { 120, 16, 1 },
        { 2, 3, 4 }, { 3, 5, 9 }, { 4, 3, 49 }, { 7, 3, 144 }, { 2, 5, 676 }, { 1, 1, 17 },
    };

    // Per-channel statistics are summed in another (fixed) order than the reference's: a double's rounding, then a
    // float's.
    private static readonly Tolerance Statistics = new(1e-6, 1e-6);

    [SkippableTheory]
    [MemberData(nameof(Shapes))]
    public void Training_forward_matches_the_reference(int batch, int channels, int spatial)
    {
        Skip.IfNot(FastBatchNorm.IsVectorised,
            "No 256-bit vectors here: batch normalization runs the reference itself.");
        foreach (bool affine in new[] { true, false })
        {
            var (expected, actual) = (TrainingInputs(batch, channels, spatial, affine), TrainingInputs(batch, channels,
                spatial, affine));
            ReferenceBatchNorm.ForwardTraining(expected);
            FastBatchNorm.ForwardTraining(actual);
            string what = $"affine={affine}";
            if (spatial == 1)
            {
                FastKernelInputs.AssertIdentical(expected.Saved, actual.Saved, $"saved, {what}");
                FastKernelInputs.AssertIdentical(expected.MovingMean, actual.MovingMean, $"moving mean, {what}");
                FastKernelInputs.AssertIdentical(expected.MovingVariance, actual.MovingVariance,
                    $"moving variance, {what}");
                FastKernelInputs.AssertIdentical(expected.Y, actual.Y, $"y, {what}");
                continue;
            }
            Statistics.AssertClose(actual.Saved, expected.Saved, $"saved, {what}");
            Statistics.AssertClose(actual.MovingMean, expected.MovingMean, $"moving mean, {what}");
            Statistics.AssertClose(actual.MovingVariance, expected.MovingVariance, $"moving variance, {what}");
            new Tolerance(1e-5, 1e-5).AssertClose(actual.Y, expected.Y, $"y, {what}");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Shapes))]
    public void Inference_is_the_reference_bit_for_bit(int batch, int channels, int spatial)
    {
        Skip.IfNot(FastBatchNorm.IsVectorised,
            "No 256-bit vectors here: batch normalization runs the reference itself.");
        foreach (bool affine in new[] { true, false })
        {
            var t = TrainingInputs(batch, channels, spatial, affine);
            float[] expected = new float[t.Y.Length], actual = FastKernelInputs.Values(70, t.Y.Length);
            ReferenceBatchNorm.ForwardInference(new BatchNormInference(t.X, t.Gamma, t.Beta, t.MovingMean,
                t.MovingVariance, batch, channels, spatial, 1e-3f, expected));
            FastBatchNorm.ForwardInference(new BatchNormInference(t.X, t.Gamma, t.Beta, t.MovingMean,
                t.MovingVariance, batch, channels, spatial, 1e-3f, actual));
            FastKernelInputs.AssertIdentical(expected, actual, $"y, affine={affine}");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Shapes))]
    public void Backward_matches_the_reference(int batch, int channels, int spatial)
    {
        Skip.IfNot(FastBatchNorm.IsVectorised,
            "No 256-bit vectors here: batch normalization runs the reference itself.");
        foreach (bool affine in new[] { true, false })
            foreach (bool inputGradient in new[] { true, false })
            {
                var t = TrainingInputs(batch, channels, spatial, affine);
                ReferenceBatchNorm.ForwardTraining(t);
                var expected = GradientInputs(t, affine, inputGradient);
                var actual = expected with
                {
                    Dx = expected.Dx?.ToArray(), DGamma = expected.DGamma?.ToArray(), DBeta = expected.DBeta?.ToArray(),
                };
                ReferenceBatchNorm.Backward(expected);
                FastBatchNorm.Backward(actual);
                string what = $"affine={affine} dx={inputGradient}";
                Compare(spatial, expected.Dx, actual.Dx, new Tolerance(1e-5, 1e-5), $"dx, {what}");
                Compare(spatial, expected.DGamma, actual.DGamma, Statistics, $"dGamma, {what}");
                Compare(spatial, expected.DBeta, actual.DBeta, Statistics, $"dBeta, {what}");
            }
    }

    [SkippableTheory]
    [MemberData(nameof(Shapes))]
    public void Setting_dx_gives_the_bits_of_adding_to_zeros_without_reading_dx(int batch, int channels, int spatial)
    {
        Skip.IfNot(FastBatchNorm.IsVectorised,
            "No 256-bit vectors here: batch normalization runs the reference itself.");
        var t = TrainingInputs(batch, channels, spatial, affine: true);
        ReferenceBatchNorm.ForwardTraining(t);
        var added = GradientInputs(t, affine: true, inputGradient: true);
        Array.Clear(added.Dx!);
        var set = added with { Dx = Enumerable.Repeat(float.NaN, t.X.Length).ToArray(), SetDx = true };
        foreach (bool fast in new[] { false, true })
        {
            var (a, s) = (added with { Dx = added.Dx!.ToArray() }, set with { Dx = set.Dx!.ToArray() });
            if (fast)
            {
                FastBatchNorm.Backward(a);
                FastBatchNorm.Backward(s);
            }
            else
            {
                ReferenceBatchNorm.Backward(a);
                ReferenceBatchNorm.Backward(s);
            }
            FastKernelInputs.AssertIdentical(a.Dx!, s.Dx!, fast ? "dx, fast" : "dx, reference");
        }
    }

    [Fact]
    public void Results_are_the_same_bits_for_one_and_two_threads()
    {
        // Large enough that both layouts split: 64 feature blocks of 1000 rows, 16 channels of 120 × 24 × 24.
        foreach (var (batch, channels, spatial) in new[] { (1000, 515, 1), (120, 16, 576) })
        {
            (BatchNormTraining Forward, BatchNormGradient Backward) Run(int threads)
            {
                int saved = CpuParallel.ThreadCount;
                try
                {
                    CpuParallel.ThreadCount = threads;
                    var t = TrainingInputs(batch, channels, spatial, affine: true);
                    FastBatchNorm.ForwardTraining(t);
                    var b = GradientInputs(t, affine: true, inputGradient: true);
                    FastBatchNorm.Backward(b);
                    return (t, b);
                }
                finally
                {
                    CpuParallel.ThreadCount = saved;
                }
            }
            var (one, two) = (Run(1), Run(2));
            string what = $"[{batch}, {channels}, {spatial}]";
            FastKernelInputs.AssertIdentical(one.Forward.Y, two.Forward.Y, $"y {what}");
            FastKernelInputs.AssertIdentical(one.Forward.Saved, two.Forward.Saved, $"saved {what}");
            FastKernelInputs.AssertIdentical(one.Backward.Dx!, two.Backward.Dx!, $"dx {what}");
            FastKernelInputs.AssertIdentical(one.Backward.DGamma!, two.Backward.DGamma!, $"dGamma {what}");
        }
    }

    private static void Compare(int spatial, float[]? expected, float[]? actual, Tolerance tolerance, string what)
    {
        if (expected is null || actual is null) return;
        if (spatial == 1) FastKernelInputs.AssertIdentical(expected, actual, what);
        else tolerance.AssertClose(actual, expected, what);
    }

    /// <summary>x away from zero mean (so the two-pass variance matters), moving statistics and affine
    /// parameters.</summary>
    private static BatchNormTraining TrainingInputs(int batch, int channels, int spatial, bool affine)
    {
        int length = batch * channels * spatial;
        float[] x = FastKernelInputs.Values(60, length).Select(v => v + 3f).ToArray();
        return new BatchNormTraining(x, affine ? FastKernelInputs.Values(61, channels, 0.5f, 2f) : null,
            affine ? FastKernelInputs.Values(62, channels) : null,
            batch, channels, spatial, 0.99f, 1e-3f, FastKernelInputs.Values(63, length), new float[2 * channels],
            FastKernelInputs.Values(64, channels), FastKernelInputs.Values(65, channels, 0.5f, 2f));
    }

    private static BatchNormGradient GradientInputs(in BatchNormTraining t, bool affine, bool inputGradient) =>
        new(t.X, t.Gamma, t.Saved, FastKernelInputs.Values(66, t.X.Length), t.Batch, t.Channels, t.Spatial,
            inputGradient ? FastKernelInputs.Values(67, t.X.Length) : null,
            affine ? FastKernelInputs.Values(68, t.Channels) : null, affine ? FastKernelInputs.Values(69,
                t.Channels) : null);
}
