using GpuNet.Accelerators;
using GpuNet.Ops;

namespace GpuNet.Diagnostics;

/// <summary>
/// Every accelerator operation once or a few times, on small inputs of odd sizes, as
/// <c>gpunet doctor</c> runs them against the CPU. (The test suite checks many more sizes.)
/// </summary>
public static class DeviceChecks
{
    /// <summary>Float arithmetic in the same order, apart from exp/log/sqrt approximations and fused
    /// multiply-adds.</summary>
    public static readonly Tolerance Elementwise = new(1e-6, 1e-5);

    /// <summary>Sums of a few hundred products or more, in another order than the CPU's.</summary>
    public static readonly Tolerance Sums = new(1e-4, 1e-4);

    /// <summary>Kernels that only move, select or mask values.</summary>
    public static readonly Tolerance Exact = new(0, 0);

    public static IReadOnlyList<KernelCheck> All()
    {
        var random = new System.Random(20261206);
        float[] U(int length, float low = -1f, float high = 1f)
        {
            var values = new float[length];
            for (int i = 0; i < length; i++) values[i] = low + (high - low) * random.NextSingle();
            return values;
        }
        float[] OneHot(int rows, int cols)
        {
            var values = new float[rows * cols];
            for (int r = 0; r < rows; r++) values[r * cols + random.Next(cols)] = 1f;
            return values;
        }
        var checks = new List<KernelCheck>();
        void Add(string operation, string what, Tolerance tolerance, float[][] inputs, int[] outputs,
            Action<IAccelerator, DeviceBuffer[]> kernel) =>
            checks.Add(new KernelCheck(operation, what, tolerance, inputs, outputs, kernel));

        const int n = 1001, rows = 7, cols = 10;
        Add("Fill", "1001", Exact, [U(n + 3)], [0], (a, b) => a.Fill(2.5f, n, b[0]));
        foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
            Add("Gemm", $"7×13·13×10, transposes {ta}/{tb}", Sums, [U(7 * 13), U(13 * 10), U(7 * 10)], [2],
                (a, b) => a.Gemm(ta, tb, b[0], b[1], 7, 10, 13, 0.5f, 0.25f, b[2]));
        // x [7, 13], kernel [13, 10], dy [7, 10]; dKernel set, dBias and dx added to.
        Add("DenseBackward", "7×13 → 10", Sums, [U(7 * 13), U(13 * 10), U(7 * 10), U(13 * 10), U(10), U(7 * 13)],
            [3, 4, 5], (a, b) => a.DenseBackward(b[0], b[1], b[2], 7, 13, 10,
                new DenseGradients(b[3], SetKernel: true, b[4], b[5], SetInput: false)));
        Add("Add", "1001", Exact, [U(n), U(n), U(n)], [2], (a, b) => a.Add(b[0], b[1], n, b[2]));
        Add("AddBias", "7×10", Exact, [U(cols), U(rows * cols)], [1], (a, b) => a.AddBias(b[0], rows, cols, b[1]));
        Add("BiasGradient", "7×10", Exact, [U(rows * cols), U(cols)], [1],
            (a, b) => a.BiasGradient(b[0], rows, cols, b[1]));
        foreach (ActivationKind kind in Enum.GetValues<ActivationKind>())
        {
            float[] x = U(n, -8f, 8f), y = U(n, 0f, 1f);
            Add("ActivationForward", kind.ToString(), Elementwise, [x, U(n)], [1],
                (a, b) => a.ActivationForward(kind, 0.3f, b[0], n, b[1]));
            Add("ActivationBackward", kind.ToString(), Elementwise, [x, y, U(n), U(n)], [3],
                (a, b) => a.ActivationBackward(kind, 0.3f, b[0], b[1], b[2], n, b[3]));
            Add("ActivationBackwardSet", kind.ToString(), Elementwise, [x, y, U(n), U(n)], [3],
                (a, b) => a.ActivationBackwardSet(kind, 0.3f, b[0], b[1], b[2], n, b[3]));
        }
        Add("SoftmaxForward", "7×10", Elementwise, [U(rows * cols, -10f, 10f), U(rows * cols)], [1],
            (a, b) => a.SoftmaxForward(b[0], rows, cols, b[1]));
        Add("SoftmaxBackward", "7×10", Elementwise, [U(rows * cols, 0f, 1f), U(rows * cols), U(rows * cols)], [2],
            (a, b) => a.SoftmaxBackward(b[0], b[1], rows, cols, b[2]));
        foreach (LossKind kind in Enum.GetValues<LossKind>())
        {
            float[] prediction = kind == LossKind.SoftmaxCrossEntropy ? U(rows * cols, -10f, 10f)
                : U(rows * cols, 0f, 1f);
            float[] target = kind == LossKind.MeanSquaredError ? U(rows * cols) : OneHot(rows, cols);
            Add("LossForward", kind.ToString(), Elementwise, [prediction, target, U(rows)], [2],
                (a, b) => a.LossForward(kind, b[0], b[1], rows, cols, b[2]));
            Add("LossBackward", kind.ToString(), Elementwise, [prediction, target, U(rows * cols)], [2],
                (a, b) => a.LossBackward(kind, b[0], b[1], rows, cols, 1f / rows, b[2]));
        }
        Add("AccumulateSum", "1001", Sums, [U(n), U(3)], [1], (a, b) => a.AccumulateSum(b[0], n, 1, b[1]));
        Add("AccumulateCorrect", "7×10", Exact, [U(rows * cols, 0f, 1f), OneHot(rows, cols), [2f, 3f]], [2],
            (a, b) => a.AccumulateCorrect(b[0], b[1], rows, cols, 1, b[2]));
        Add("AccumulatePenalty", "1001", Sums, [U(n), U(2)], [1],
            (a, b) => a.AccumulatePenalty(b[0], n, 0.01f, 0.002f, 0.5f, 0, b[1]));
        Add("PenaltyGradient", "1001", Elementwise, [U(n), U(n)], [1],
            (a, b) => a.PenaltyGradient(b[0], n, 0.01f, 0.002f, b[1]));
        AddOptimizers(Add, U, n);
        AddConvolutions(Add, U);
        AddPooling(Add, U);
        const ulong seed = 0x1234_5678_9ABC_DEF1, stream = 0x0F0E_0D0C_0000_0007;
        Add("DropoutForward", "1001, rate 0.3", Exact, [U(n), U(n), U(n)], [1, 2],
            (a, b) => a.DropoutForward(b[0], n, 0.3f, seed, stream, b[1], b[2]));
        Add("DropoutForward", "1001, rate 0.3, after a ReLU", Exact, [U(n), U(n), U(n)], [1, 2],
            (a, b) => a.DropoutForward(b[0], n, 0.3f, seed, stream, b[1], b[2], afterRelu: true));
        Add("DropoutBackward", "1001", Exact, [U(n), U(n), U(n)], [2],
            (a, b) => a.DropoutBackward(b[0], b[1], n, b[2]));
        Add("DropoutBackwardSet", "1001", Exact, [U(n), U(n), U(n)], [2],
            (a, b) => a.DropoutBackwardSet(b[0], b[1], n, b[2]));
        AddBatchNorm(Add, U);
        Add("PReluForward", "7×10", Exact, [U(rows * cols), U(cols, 0f, 0.5f), U(rows * cols)], [2],
            (a, b) => a.PReluForward(b[0], b[1], rows, cols, b[2]));
        Add("PReluBackward", "7×10", Exact,
            [U(rows * cols), U(cols, 0f, 0.5f), U(rows * cols), U(rows * cols), U(cols)], [3, 4],
            (a, b) => a.PReluBackward(b[0], b[1], b[2], rows, cols, b[3], b[4]));
        return checks;
    }

    private delegate void Adder(string operation, string what, Tolerance tolerance, float[][] inputs, int[] outputs,
        Action<IAccelerator, DeviceBuffer[]> kernel);

    private static void AddOptimizers(Adder add, Func<int, float, float, float[]> u, int n)
    {
        float[] G() => u(n, -1f, 1f);
        float[] P() => u(n, 0f, 1f);
        add("SgdUpdate", "momentum 0", Elementwise, [G(), G()], [1],
            (a, b) => a.SgdUpdate(b[0], n, 0.1f, 0f, false, b[1], null));
        add("SgdUpdate", "Nesterov", Elementwise, [G(), G(), G()], [1, 2],
            (a, b) => a.SgdUpdate(b[0], n, 0.1f, 0.9f, true, b[1], b[2]));
        add("AdagradUpdate", "", Elementwise, [G(), G(), P()], [1, 2],
            (a, b) => a.AdagradUpdate(b[0], n, 0.01f, 1e-7f, b[1], b[2]));
        add("AdadeltaUpdate", "", Elementwise, [G(), G(), P(), P()], [1, 2, 3],
            (a, b) => a.AdadeltaUpdate(b[0], n, 1f, 0.95f, 1e-7f, b[1], b[2], b[3]));
        add("RmspropUpdate", "", Elementwise, [G(), G(), P()], [1, 2],
            (a, b) => a.RmspropUpdate(b[0], n, 0.001f, 0.9f, 1e-7f, b[1], b[2]));
        add("AdamUpdate", "", Elementwise, [G(), G(), G(), P()], [1, 2, 3],
            (a, b) => a.AdamUpdate(b[0], n, 0.001f, 0.9f, 0.999f, 1e-7f, b[1], b[2], b[3]));
        add("AdamaxUpdate", "", Elementwise, [G(), G(), G(), P()], [1, 2, 3],
            (a, b) => a.AdamaxUpdate(b[0], n, 0.002f, 0.9f, 0.999f, 1e-7f, b[1], b[2], b[3]));
        var nadam = new NadamScalars(0.002f, 0.9f, 0.999f, 1e-7f, 0.8952f, 0.8954f, 0.8952f, 0.8016f, 0.002f);
        add("NadamUpdate", "", Elementwise, [G(), G(), G(), P()], [1, 2, 3],
            (a, b) => a.NadamUpdate(b[0], n, nadam, b[1], b[2], b[3]));
    }

    private static void AddConvolutions(Adder add, Func<int, float, float, float[]> u)
    {
        const int filters = 3;
        Window2D g = new SlidingWindow(3, 3, 2, 2, Padding.Same).Over(2, 2, 9, 10);
        int col = g.PatchSize * g.PatchCount, outputs = g.Batch * filters * g.OutputPlane,
            kernel = filters * g.PatchSize;
        add("Im2Col", "2×2×9×10, 3×3 stride 2 same", Exact, [u(g.InputLength, -1f, 1f), u(col, -1f, 1f)], [1],
            (a, b) => a.Im2Col(b[0], g, b[1]));
        add("Col2Im", "2×2×9×10, 3×3 stride 2 same", Elementwise, [u(col, -1f, 1f), u(g.InputLength, -1f, 1f)], [1],
            (a, b) => a.Col2Im(b[0], g, b[1]));
        add("SwapLeadingAxes", "3×7×5", Exact, [u(105, -1f, 1f), u(105, -1f, 1f)], [1],
            (a, b) => a.SwapLeadingAxes(b[0], 3, 7, 5, b[1]));
        add("AddChannelBias", "7×3×5", Exact, [u(3, -1f, 1f), u(105, -1f, 1f)], [1],
            (a, b) => a.AddChannelBias(b[0], 7, 3, 5, b[1]));
        add("ChannelBiasGradient", "7×3×5", Sums, [u(105, -1f, 1f), u(3, -1f, 1f)], [1],
            (a, b) => a.ChannelBiasGradient(b[0], 7, 3, 5, b[1]));
        float[][] Buffers() =>
        [
            u(g.InputLength, -1f, 1f), u(kernel, -1f, 1f), u(filters, -1f, 1f), new float[col],
                new float[filters * g.PatchCount],
            u(outputs, -1f, 1f), u(outputs, -1f, 1f), u(kernel, -1f, 1f), u(filters, -1f, 1f),
                u(g.InputLength, -1f, 1f),
        ];
        add("Conv2DForward", "3 filters 3×3 stride 2 same", Sums, Buffers(), [5],
            (a, b) => a.Conv2DForward(b[0], b[1], b[2], g, filters, b[3], b[4], b[5]));
        add("Conv2DBackward", "3 filters 3×3 stride 2 same", Sums, Buffers(), [7, 8, 9], (a, b) =>
        {
            a.Conv2DForward(b[0], b[1], b[2], g, filters, b[3], b[4], b[5]);
            a.Conv2DBackward(b[0], b[1], b[6], g, filters, b[3], b[4], b[7], b[8], b[9], setDx: false);
        });
        Window2D c = new SlidingWindow(3, 3, 1, 1, Padding.Valid).Over(2, 2, 11, 12);
        Window2D pool = new SlidingWindow(2, 2, 2, 2, Padding.Valid).Over(2, filters, c.OutputHeight, c.OutputWidth);
        int convOutputs = 2 * filters * c.OutputPlane, pooled = 2 * filters * pool.OutputPlane;
        float[][] Fused() =>
        [
            u(c.InputLength, -1f, 1f), u(filters * c.PatchSize, -1f, 1f), u(filters, -1f, 1f),
                new float[c.PatchSize * c.PatchCount],
            new float[filters * c.PatchCount], new float[convOutputs], u(pooled, -1f, 1f), u(pooled, -1f, 1f),
                u(pooled, -1f, 1f),
            new float[convOutputs], new float[pooled], u(filters * c.PatchSize, -1f, 1f), u(filters, -1f, 1f),
                u(c.InputLength, -1f, 1f),
        ];
        ConvolutionStep Convolution(DeviceBuffer[] b) => new(c, filters, b[0], b[1], b[3], b[4]);
        PoolingStep Pooling(DeviceBuffer[] b) => new(pool, Relu: true, b[6], b[7]);
        add("Conv2DMaxPoolForward", "with ReLU", Sums, Fused(), [6, 7],
            (a, b) => a.Conv2DMaxPoolForward(Convolution(b), b[2], b[5], Pooling(b)));
        add("Conv2DMaxPoolBackward", "with ReLU", Sums, Fused(), [11, 12, 13], (a, b) =>
        {
            a.Conv2DMaxPoolForward(Convolution(b), b[2], b[5], Pooling(b));
            a.Conv2DMaxPoolBackward(Convolution(b), Pooling(b), b[8], b[9], b[10],
                new ConvolutionGradients(b[11], b[12], b[13], SetInput: false));
        });
    }

    private static void AddPooling(Adder add, Func<int, float, float, float[]> u)
    {
        Window2D g = new SlidingWindow(3, 2, 2, 2, Padding.Same).Over(2, 3, 9, 7);
        int outputs = g.Batch * g.Channels * g.OutputPlane;
        float[] x = u(g.InputLength, -1f, 1f);
        // Ties: the first maximum in row-major window order must win everywhere.
        for (int i = 0; i + 1 < x.Length; i += 5) x[i + 1] = x[i];
        float[][] Pool() => [x, u(outputs, -1f, 1f), u(outputs, -1f, 1f), u(outputs, -1f, 1f),
            u(g.InputLength, -1f, 1f), u(outputs, -1f, 1f)];
        const string shape = "2×3×9×7, 3×2 stride 2 same";
        add("MaxPoolForward", shape, Exact, Pool(), [1, 2], (a, b) => a.MaxPoolForward(b[0], g, b[1], b[2]));
        add("MaxPoolReluForward", shape, Exact, Pool(), [1, 2], (a, b) => a.MaxPoolReluForward(b[0], g, b[1], b[2]));
        add("MaxPoolBackward", shape, Exact, Pool(), [4], (a, b) =>
        {
            a.MaxPoolForward(b[0], g, b[1], b[2]);
            a.MaxPoolBackward(b[3], b[2], g, b[4]);
        });
        add("MaxPoolBackwardSet", shape, Exact, Pool(), [4], (a, b) =>
        {
            a.MaxPoolForward(b[0], g, b[1], b[2]);
            a.MaxPoolBackwardSet(b[3], b[2], g, b[4]);
        });
        add("MaxPoolReluBackward", shape, Exact, Pool(), [4], (a, b) =>
        {
            a.MaxPoolReluForward(b[0], g, b[1], b[2]);
            a.MaxPoolReluBackward(b[3], b[1], b[2], g, b[4], b[5], set: false);
        });
        add("AveragePoolForward", shape, Elementwise, Pool(), [1], (a, b) => a.AveragePoolForward(b[0], g, b[1]));
        add("AveragePoolBackward", shape, Elementwise, Pool(), [4], (a, b) => a.AveragePoolBackward(b[3], g, b[4]));
        add("L2PoolForward", shape, Elementwise, Pool(), [1], (a, b) => a.L2PoolForward(b[0], g, b[1]));
        add("L2PoolBackward", shape, Elementwise, Pool(), [4], (a, b) =>
        {
            a.L2PoolForward(b[0], g, b[1]);
            a.L2PoolBackward(b[0], b[1], b[3], g, b[4]);
        });
    }

    private static void AddBatchNorm(Adder add, Func<int, float, float, float[]> u)
    {
        const int batch = 5, channels = 3, spatial = 7, length = batch * channels * spatial;
        float[][] Buffers() =>
        [
            u(length, -3f, 5f), u(channels, 0.5f, 2f), u(channels, -1f, 1f), u(length, -1f, 1f),
                u(2 * channels, -1f, 1f),
            u(channels, -1f, 1f), u(channels, 0.5f, 2f), u(length, -1f, 1f), u(length, -1f, 1f), u(channels, -1f, 1f),
                u(channels, -1f, 1f),
        ];
        add("BatchNormForwardTraining", "5×3×7", Sums, Buffers(), [3, 4, 5, 6],
            (a, b) =>
                a.BatchNormForwardTraining(b[0], b[1], b[2], batch, channels, spatial, 0.9f, 1e-3f, b[3], b[4], b[5],
                    b[6]));
        add("BatchNormForwardInference", "5×3×7", Elementwise, Buffers(), [3],
            (a, b) => a.BatchNormForwardInference(b[0], b[1], b[2], b[5], b[6], batch, channels, spatial, 1e-3f, b[3]));
        add("BatchNormBackward", "5×3×7", Sums, Buffers(), [8, 9, 10], (a, b) =>
        {
            a.BatchNormForwardTraining(b[0], b[1], b[2], batch, channels, spatial, 0.9f, 1e-3f, b[3], b[4], b[5], b[6]);
            a.BatchNormBackward(b[0], b[1], b[4], b[7], batch, channels, spatial, b[8], b[9], b[10]);
        });
    }
}
