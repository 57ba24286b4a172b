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
        OnThreadCounts([1, 2, 3], _ =>
        {
            using var accelerator = new CpuAccelerator();
            float[] result = PenaltyIntoSecondOf2(accelerator, w, 0.01f, 0.002f, 0.5f);
            Assert.Equal(1f, result[0]);
            sums.Add(result[1]);
        });
        Assert.Equal((float)(1 + expected), sums[0], 1e-6f * (float)expected);
        Assert.All(sums, s => Assert.Equal(BitConverter.SingleToInt32Bits(sums[0]), BitConverter.SingleToInt32Bits(s)));
    }

    /// <summary>Each update, asked for Σg² (for the gradient norms), on gradient g and state buffers.</summary>
    private static readonly (string Name, int Buffers, Func<float[], float[][], bool, double> Update)[] Updates =
    [
        ("sgd", 1, (g, s, sum) => FastOptimizers.Sgd(g, 0.1f, 0f, false, s[0], default, sum)),
        ("momentum", 2, (g, s, sum) => FastOptimizers.Sgd(g, 0.1f, 0.9f, false, s[0], s[1], sum)),
        ("nesterov", 2, (g, s, sum) => FastOptimizers.Sgd(g, 0.1f, 0.9f, true, s[0], s[1], sum)),
        ("adagrad", 2, (g, s, sum) => FastOptimizers.Adagrad(g, 0.01f, 1e-7f, s[0], s[1], sum)),
        ("adadelta", 3, (g, s, sum) => FastOptimizers.Adadelta(g, 1f, 0.95f, 1e-7f, s[0], s[1], s[2], sum)),
        ("rmsprop", 2, (g, s, sum) => FastOptimizers.Rmsprop(g, 0.001f, 0.9f, 1e-7f, s[0], s[1], sum)),
        ("adam", 3, (g, s, sum) => FastOptimizers.Adam(g, 0.001f, 0.9f, 0.999f, 1e-7f, s[0], s[1], s[2], sum)),
        ("adamax", 3, (g, s, sum) => FastOptimizers.Adamax(g, 0.002f, 0.9f, 0.999f, 1e-7f, s[0], s[1], s[2], sum)),
        ("nadam", 3, (g, s, sum) => FastOptimizers.Nadam(g, new NadamScalars(0.002f, 0.9f, 0.999f, 1e-7f, 0.87f,
            0.88f, 0.87f, 0.7656f, 0.001f), s[0], s[1], s[2], sum)),
    ];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Each_update_sums_the_gradients_squares_in_its_loop_to_the_penalty_sums_bits(int length)
    {
        float[] g = FastKernelInputs.Values(12, length);
        if (length > 2) g[1] = float.NegativeZero;
        long expected = BitConverter.DoubleToInt64Bits(FastOptimizers.Penalty(g, 0f, 1f));
        foreach (var (name, buffers, update) in Updates)
        {
            float[][] plain = Enumerable.Range(0, buffers).Select(b => FastKernelInputs.Values(20 + b, length, 0f, 1f))
                .ToArray();
            float[][] summing = plain.Select(b => (float[])b.Clone()).ToArray();
            Assert.Equal(0d, update(g, plain, false));
            Assert.True(BitConverter.DoubleToInt64Bits(update(g, summing, true)) == expected,
                $"{name}: Σg² differs from the penalty's sum");
            for (int b = 0; b < buffers; b++)
                FastKernelInputs.AssertIdentical(plain[b], summing[b], $"{name} buffer {b} when summing squares");
        }
    }

    [Fact]
    public void The_accelerators_updates_add_the_gradient_squares_as_the_penalty_adds_them_for_any_thread_count()
    {
        // Several chunks and a ragged last one; the second accumulator slot is the target, the first must stay.
        const int length = 3 * 16384 + 77;
        float[] g = FastKernelInputs.Values(32, length);
        OnThreadCounts([1, 2], threads => AssertUpdatesAddSquares(threads, g));
    }

    private static void AssertUpdatesAddSquares(int threads, float[] g)
    {
        int length = g.Length;
        using var accelerator = new CpuAccelerator();
        float[] wanted = PenaltyIntoSecondOf2(accelerator, g, 0f, 1f, 1f);
        using DeviceBuffer gradient = Upload(g);
        var nadam = new NadamScalars(0.002f, 0.9f, 0.999f, 1e-7f, 0.87f, 0.88f, 0.87f, 0.7656f, 0.001f);
        var updates = new (string, Action<DeviceBuffer[], GradientSquares?>)[]
        {
            ("sgd", (s, q) => accelerator.SgdUpdate(gradient, length, 0.1f, 0.9f, true, s[0], s[1], q)),
            ("adagrad", (s, q) => accelerator.AdagradUpdate(gradient, length, 0.01f, 1e-7f, s[0], s[1], q)),
            ("adadelta", (s, q) =>
                accelerator.AdadeltaUpdate(gradient, length, 1f, 0.95f, 1e-7f, s[0], s[1], s[2], q)),
            ("rmsprop", (s, q) => accelerator.RmspropUpdate(gradient, length, 0.001f, 0.9f, 1e-7f, s[0], s[1], q)),
            ("adam", (s, q) =>
                accelerator.AdamUpdate(gradient, length, 0.001f, 0.9f, 0.999f, 1e-7f, s[0], s[1], s[2], q)),
            ("adamax", (s, q) =>
                accelerator.AdamaxUpdate(gradient, length, 0.002f, 0.9f, 0.999f, 1e-7f, s[0], s[1], s[2], q)),
            ("nadam", (s, q) => accelerator.NadamUpdate(gradient, length, nadam, s[0], s[1], s[2], q)),
        };
        foreach (var (name, update) in updates)
        {
            float[][] state = Enumerable.Range(0, 3)
                .Select(b => FastKernelInputs.Values(40 + b, length, 0f, 1f)).ToArray();
            DeviceBuffer[] plain = state.Select(Upload).ToArray(), summing = state.Select(Upload).ToArray();
            using DeviceBuffer sums = accelerator.Allocate(2);
            accelerator.Fill(1f, 2, sums);
            update(plain, null);
            update(summing, new GradientSquares(sums, 1));
            float[] actual = new float[2];
            accelerator.Download(sums, actual);
            Assert.True(actual[0] == 1f && actual[1].Equals(wanted[1]),
                $"{name}, {threads} threads: sums {actual[0]}, {actual[1]:R}; expected 1, {wanted[1]:R}");
            for (int b = 0; b < 3; b++)
                FastKernelInputs.AssertIdentical(Download(plain[b]), Download(summing[b]), $"{name} buffer {b}");
            foreach (DeviceBuffer buffer in plain.Concat(summing)) buffer.Dispose();
        }

        DeviceBuffer Upload(float[] values)
        {
            DeviceBuffer buffer = accelerator.Allocate(values.Length);
            accelerator.Upload(values, buffer);
            return buffer;
        }

        float[] Download(DeviceBuffer buffer)
        {
            float[] values = new float[length];
            accelerator.Download(buffer, values);
            return values;
        }
    }

    /// <summary>The accelerator's <see cref="CpuAccelerator.AccumulatePenalty"/> of <paramref name="w"/> into the
    /// second of two sums that start at 1.</summary>
    private static float[] PenaltyIntoSecondOf2(CpuAccelerator accelerator, float[] w, float l1, float l2,
        float scale)
    {
        using DeviceBuffer parameter = accelerator.Allocate(w.Length), accumulator = accelerator.Allocate(2);
        accelerator.Upload(w, parameter);
        accelerator.Fill(1f, 2, accumulator);
        accelerator.AccumulatePenalty(parameter, w.Length, l1, l2, scale, 1, accumulator);
        float[] sums = new float[2];
        accelerator.Download(accumulator, sums);
        return sums;
    }

    /// <summary>Runs <paramref name="body"/> with CpuParallel set to each thread count in turn, and puts its own
    /// back after.</summary>
    private static void OnThreadCounts(int[] counts, Action<int> body)
    {
        int saved = CpuParallel.ThreadCount;
        try
        {
            foreach (int threads in counts)
            {
                CpuParallel.ThreadCount = threads;
                body(threads);
            }
        }
        finally
        {
            CpuParallel.ThreadCount = saved;
        }
    }

    [Fact]
    public void A_short_state_buffer_is_refused()
    {
        float[] g = new float[40];
        Assert.Throws<ArgumentException>(() =>
            FastOptimizers.Adam(g, 0.001f, 0.9f, 0.999f, 1e-7f, new float[40], new float[40], new float[39]));
    }
}
