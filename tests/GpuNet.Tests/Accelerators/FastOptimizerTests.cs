using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Accelerators.Cpu.Reference;
using GpuNet.Accelerators.Cpu.Fast;
using GpuNet.Accelerators.Cpu.Threads;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// The vectorised optimizer updates against the plain reference, bit for bit: both do the same
/// float operations in the same order, so a run's weights do not depend on which one ran.
/// </summary>
[Collection(CpuThreadCountCollection.Name)]
public sealed class FastOptimizerTests
{
    public static TheoryData<int> Lengths => FastKernelInputs.Lengths;

    // Two steps from the same state, so the second reads moments the first wrote.
    private static void AssertSameUpdates(int length, int buffers, Action<float[], float[][]> reference,
        Action<float[], float[][]> fast, string what)
    {
        float[][] expected = Enumerable.Range(0, buffers).Select(b =>
            FastKernelInputs.Values(20 + b, length, 0f, 1f)).ToArray();
        float[][] actual = expected.Select(b => (float[])b.Clone()).ToArray();
        for (int step = 0; step < 2; step++)
        {
            float[] g = FastKernelInputs.Values(10 + step, length);
            reference(g, expected);
            fast(g, actual);
        }
        for (int b = 0; b < buffers; b++)
            FastKernelInputs.AssertIdentical(expected[b], actual[b], $"{what} buffer {b}");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Sgd_plain_momentum_and_nesterov(int length)
    {
        AssertSameUpdates(length, 1, (g, s) => ReferenceOptimizers.Sgd(g, 0.1f, 0f, false, s[0], default),
            (g, s) => FastOptimizers.Sgd(g, 0.1f, 0f, false, s[0], default), "sgd");
        foreach (bool nesterov in new[] { false, true })
        {
            AssertSameUpdates(length, 2, (g, s) => ReferenceOptimizers.Sgd(g, 0.1f, 0.9f, nesterov, s[0], s[1]),
                (g, s) => FastOptimizers.Sgd(g, 0.1f, 0.9f, nesterov, s[0], s[1]), $"sgd nesterov={nesterov}");
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Adagrad_adadelta_and_rmsprop(int length)
    {
        AssertSameUpdates(length, 2, (g, s) => ReferenceOptimizers.Adagrad(g, 0.01f, 1e-7f, s[0], s[1]),
            (g, s) => FastOptimizers.Adagrad(g, 0.01f, 1e-7f, s[0], s[1]), "adagrad");
        AssertSameUpdates(length, 3, (g, s) => ReferenceOptimizers.Adadelta(g, 1f, 0.95f, 1e-7f, s[0], s[1], s[2]),
            (g, s) => FastOptimizers.Adadelta(g, 1f, 0.95f, 1e-7f, s[0], s[1], s[2]), "adadelta");
        AssertSameUpdates(length, 2, (g, s) => ReferenceOptimizers.Rmsprop(g, 0.001f, 0.9f, 1e-7f, s[0], s[1]),
            (g, s) => FastOptimizers.Rmsprop(g, 0.001f, 0.9f, 1e-7f, s[0], s[1]), "rmsprop");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Adam_adamax_and_nadam(int length)
    {
        AssertSameUpdates(length, 3,
            (g, s) => ReferenceOptimizers.Adam(g, 0.001f, 0.9f, 0.999f, 1e-7f, s[0], s[1], s[2]),
            (g, s) => FastOptimizers.Adam(g, 0.001f, 0.9f, 0.999f, 1e-7f, s[0], s[1], s[2]), "adam");
        AssertSameUpdates(length, 3,
            (g, s) => ReferenceOptimizers.Adamax(g, 0.002f, 0.9f, 0.999f, 1e-7f, s[0], s[1], s[2]),
            (g, s) => FastOptimizers.Adamax(g, 0.002f, 0.9f, 0.999f, 1e-7f, s[0], s[1], s[2]), "adamax");
        var scalars = new NadamScalars(0.002f, 0.9f, 0.999f, 1e-7f, MomentumCache: 0.87f, NextMomentumCache: 0.88f,
            ScheduleProduct: 0.87f, NextScheduleProduct: 0.7656f, SecondMomentCorrection: 0.001f);
        AssertSameUpdates(length, 3, (g, s) => ReferenceOptimizers.Nadam(g, scalars, s[0], s[1], s[2]),
            (g, s) => FastOptimizers.Nadam(g, scalars, s[0], s[1], s[2]), "nadam");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void The_penalty_sum_matches_the_reference_to_double_rounding(int length)
    {
        float[] w = FastKernelInputs.Values(30, length);
        foreach (var (l1, l2) in new[] { (0.01f, 0.002f), (0f, 1f), (1f, 0f) })
        {
            double expected = ReferenceOptimizers.Penalty(w, l1, l2), actual = FastOptimizers.Penalty(w, l1, l2);
            Assert.True(Math.Abs(actual - expected) <= 1e-12 * Math.Abs(expected),
                $"l1={l1} l2={l2}: {actual:R}, reference {expected:R}");
        }
    }

    [Fact]
    public void The_accelerators_penalty_over_chunks_is_the_reference_sum_for_any_thread_count()
    {
        // Several chunks of the parallel sum and a ragged last one.
        const int length = 5 * 16384 + 123;
        float[] w = FastKernelInputs.Values(31, length);
        double expected = 0.5 * ReferenceOptimizers.Penalty(w, 0.01f, 0.002f);
        var sums = new List<float>();
        int saved = CpuParallel.ThreadCount;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                CpuParallel.ThreadCount = threads;
                using var accelerator = new CpuAccelerator();
                using DeviceBuffer parameter = accelerator.Allocate(length), accumulator = accelerator.Allocate(2);
                accelerator.Upload(w, parameter);
                accelerator.Fill(1f, 2, accumulator);
                accelerator.AccumulatePenalty(parameter, length, 0.01f, 0.002f, 0.5f, 1, accumulator);
                float[] result = new float[2];
                accelerator.Download(accumulator, result);
                Assert.Equal(1f, result[0]);
                sums.Add(result[1]);
            }
        }
        finally
        {
            CpuParallel.ThreadCount = saved;
        }
        Assert.Equal((float)(1 + expected), sums[0], 1e-6f * (float)expected);
        Assert.All(sums, s => Assert.Equal(BitConverter.SingleToInt32Bits(sums[0]), BitConverter.SingleToInt32Bits(s)));
    }

    [Fact]
    public void A_short_state_buffer_is_refused()
    {
        float[] g = new float[40];
        Assert.Throws<ArgumentException>(() =>
            FastOptimizers.Adam(g, 0.001f, 0.9f, 0.999f, 1e-7f, new float[40], new float[40], new float[39]));
    }
}
