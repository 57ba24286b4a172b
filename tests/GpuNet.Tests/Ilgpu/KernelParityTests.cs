using GpuNet.Diagnostics;
using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Tests.Numerics;
using static GpuNet.Tests.Ilgpu.KernelParity;
using static GpuNet.Tests.Numerics.RandomInputs;

namespace GpuNet.Tests.Ilgpu;

/// <summary>
/// Every IAccelerator operation on an ILGPU accelerator against the CPU accelerator, on seeded
/// random inputs with odd sizes (1, 7, 10, 784, 28×28, batches of 1 and a few). Written once and
/// bound to each ILGPU backend by a subclass (<see cref="IlgpuCpuKernelParityTests"/>,
/// <see cref="CudaKernelParityTests"/>). GEMM's transpose cases and odd sizes are also in
/// GemmTests, which runs on every accelerator.
/// </summary>
public abstract class KernelParityTests
{
    /// <summary>The ILGPU backend compared with the CPU.</summary>
    protected abstract string Backend { get; }

    private void Check(string what, Tolerance tolerance, float[][] inputs, int[] outputs,
        Action<IAccelerator, DeviceBuffer[]> kernel) =>
        KernelParity.Check(Backend, what, tolerance, inputs, outputs, kernel);

    public static TheoryData<int> Lengths => new() { 1, 7, 10, 784, 120 * 784 + 3 };

    public static TheoryData<int, int> Matrices =>
        new() { { 1, 1 }, { 1, 10 }, { 7, 10 }, { 120, 10 }, { 10, 784 }, { 120, 7 } };

    [SkippableTheory]
    [InlineData(false, false, 120, 10, 784)]
    [InlineData(true, false, 784, 10, 120)]
    [InlineData(false, true, 120, 784, 10)]
    [InlineData(true, true, 7, 10, 1)]
    [InlineData(false, false, 16, 120 * 24 * 24, 25)]
    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k)
    {
        var random = new System.Random(m + n + k);
        // Sums of up to 784 float32 products in another order than the CPU's blocked loop.
        Check("gemm", new Tolerance(1e-4, 1e-4),
            [Uniform(random, m * k), Uniform(random, k * n), Uniform(random, m * n)], [2],
            (acc, b) => acc.Gemm(transposeA, transposeB, b[0], b[1], m, n, k, 0.5f, 0.25f, b[2]));
    }

    [SkippableTheory]
    [MemberData(nameof(Lengths))]
    public void Add(int length)
    {
        var random = new System.Random(length);
        Check("add", Exact, [Uniform(random, length), Uniform(random, length), Uniform(random, length)], [2],
            (acc, b) => acc.Add(b[0], b[1], length, b[2]));
    }

    [SkippableTheory]
    [MemberData(nameof(Matrices))]
    public void Bias_and_its_gradient(int rows, int cols)
    {
        var random = new System.Random(rows * 31 + cols);
        Check("add bias", Exact, [Uniform(random, cols), Uniform(random, rows * cols)], [1],
            (acc, b) => acc.AddBias(b[0], rows, cols, b[1]));
        // A thread per column sums the rows in the CPU's order.
        Check("bias gradient", Exact, [Uniform(random, rows * cols), Uniform(random, cols)], [1],
            (acc, b) => acc.BiasGradient(b[0], rows, cols, b[1]));
    }

    public static TheoryData<ActivationKind, int> Activations()
    {
        var data = new TheoryData<ActivationKind, int>();
        foreach (ActivationKind kind in Enum.GetValues<ActivationKind>())
            foreach (int length in new[] { 1, 7, 784, 5000 }) data.Add(kind, length);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Activations))]
    public void Activation_forward_and_backward(ActivationKind kind, int length)
    {
        var random = new System.Random(length + (int)kind);
        // Wide inputs: sigmoid and tanh saturate, exp runs over most of its range.
        float[] x = Uniform(random, length, -12f, 12f);
        x[0] = 0f;
        float[] y = OnCpu([x, new float[length]], [1],
            (acc, b) => acc.ActivationForward(kind, 0.3f, b[0], length, b[1]))[0];
        Check($"{kind} forward", Float, [x, Uniform(random, length)], [1],
            (acc, b) => acc.ActivationForward(kind, 0.3f, b[0], length, b[1]));
        Check($"{kind} backward", Float, [x, y, Uniform(random, length), Uniform(random, length)], [3],
            (acc, b) => acc.ActivationBackward(kind, 0.3f, b[0], b[1], b[2], length, b[3]));
    }

    [SkippableTheory]
    [MemberData(nameof(Matrices))]
    public void Softmax_forward_and_backward(int rows, int cols)
    {
        var random = new System.Random(rows * 7 + cols);
        float[] x = Uniform(random, rows * cols, -20f, 20f);
        Check("softmax forward", Float, [x, Uniform(random, rows * cols)], [1],
            (acc, b) => acc.SoftmaxForward(b[0], rows, cols, b[1]));
        float[] y = Uniform(random, rows * cols, 0f, 1f);
        Check("softmax backward", Float, [y, Uniform(random, rows * cols), Uniform(random, rows * cols)], [2],
            (acc, b) => acc.SoftmaxBackward(b[0], b[1], rows, cols, b[2]));
    }

    public static TheoryData<LossKind, int, int> Losses()
    {
        var data = new TheoryData<LossKind, int, int>();
        foreach (LossKind kind in Enum.GetValues<LossKind>())
            foreach (var (rows, cols) in new[] { (1, 1), (1, 10), (7, 10), (120, 10), (3, 784) }) data.Add(kind, rows,
                cols);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Losses))]
    public void Loss_forward_and_backward(LossKind kind, int rows, int cols)
    {
        var random = new System.Random(rows * 13 + cols + (int)kind);
        // Probabilities for the losses that take them, logits for the fused softmax loss; a few
        // values outside [ε, 1 − ε] exercise the clipping.
        float[] prediction = kind == LossKind.SoftmaxCrossEntropy ? Uniform(random, rows * cols, -15f, 15f)
            : Uniform(random, rows * cols, 0f, 1f);
        if (kind != LossKind.SoftmaxCrossEntropy && prediction.Length > 2)
        {
            prediction[0] = 0f;
            prediction[1] = 1f;
        }
        float[] target = kind == LossKind.MeanSquaredError ? Uniform(random, rows * cols) : OneHot(random, rows, cols);
        Check($"{kind} forward", Float, [prediction, target, Uniform(random, rows)], [2],
            (acc, b) => acc.LossForward(kind, b[0], b[1], rows, cols, b[2]));
        Check($"{kind} backward", Float, [prediction, target, Uniform(random, rows * cols)], [2],
            (acc, b) => acc.LossBackward(kind, b[0], b[1], rows, cols, 1f / rows, b[2]));
    }

    [SkippableTheory]
    [MemberData(nameof(Lengths))]
    public void Reductions(int length)
    {
        var random = new System.Random(length);
        // Both sum in double, in different orders; one rounding to float at the end.
        var sums = new Tolerance(1e-6, 1e-6);
        Check("accumulate sum", sums, [Uniform(random, length), Uniform(random, 3)], [1],
            (acc, b) => acc.AccumulateSum(b[0], length, 1, b[1]));
        Check("accumulate penalty", sums, [Uniform(random, length), Uniform(random, 2)], [1],
            (acc, b) => acc.AccumulatePenalty(b[0], length, 0.01f, 0.002f, 0.5f, 0, b[1]));
    }

    [SkippableTheory]
    [InlineData(1, 1)]
    [InlineData(1, 10)]
    [InlineData(120, 10)]
    [InlineData(7, 784)]
    public void Accumulate_correct(int rows, int cols)
    {
        var random = new System.Random(rows + cols);
        float[] target = OneHot(random, rows, cols), prediction = Uniform(random, rows * cols, 0f, 1f);
        // Make about half the rows right.
        for (int r = 0; r < rows; r += 2)
            for (int c = 0; c < cols; c++)
                if (target[r * cols + c] == 1f) prediction[r * cols + c] = 2f;
        Check("accumulate correct", Exact, [prediction, target, [5f, 7f]], [2],
            (acc, b) => acc.AccumulateCorrect(b[0], b[1], rows, cols, 1, b[2]));
    }

    [SkippableTheory]
    [MemberData(nameof(Lengths))]
    public void Optimizers(int length)
    {
        var random = new System.Random(length);
        float[] G() => Uniform(random, length);
        float[] Positive() => Uniform(random, length, 0f, 1f);
        Check("sgd", Float, [G(), G()], [1], (acc, b) => acc.SgdUpdate(b[0], length, 0.1f, 0f, false, b[1], null));
        Check("momentum", Float, [G(), G(), G()], [1, 2],
            (acc, b) => acc.SgdUpdate(b[0], length, 0.1f, 0.9f, false, b[1], b[2]));
        Check("nesterov", Float, [G(), G(), G()], [1, 2],
            (acc, b) => acc.SgdUpdate(b[0], length, 0.1f, 0.9f, true, b[1], b[2]));
        Check("adagrad", Float, [G(), G(), Positive()], [1, 2],
            (acc, b) => acc.AdagradUpdate(b[0], length, 0.01f, 1e-7f, b[1], b[2]));
        Check("adadelta", Float, [G(), G(), Positive(), Positive()], [1, 2, 3],
            (acc, b) => acc.AdadeltaUpdate(b[0], length, 1f, 0.95f, 1e-7f, b[1], b[2], b[3]));
        Check("rmsprop", Float, [G(), G(), Positive()], [1, 2],
            (acc, b) => acc.RmspropUpdate(b[0], length, 0.001f, 0.9f, 1e-7f, b[1], b[2]));
        Check("adam", Float, [G(), G(), G(), Positive()], [1, 2, 3],
            (acc, b) => acc.AdamUpdate(b[0], length, 0.001f, 0.9f, 0.999f, 1e-7f, b[1], b[2], b[3]));
        Check("adamax", Float, [G(), G(), G(), Positive()], [1, 2, 3],
            (acc, b) => acc.AdamaxUpdate(b[0], length, 0.002f, 0.9f, 0.999f, 1e-7f, b[1], b[2], b[3]));
        var nadam = new NadamScalars(0.002f, 0.9f, 0.999f, 1e-7f, 0.8952f, 0.8954f, 0.8952f, 0.8016f, 0.002f);
        Check("nadam", Float, [G(), G(), G(), Positive()], [1, 2, 3],
            (acc, b) => acc.NadamUpdate(b[0], length, nadam, b[1], b[2], b[3]));
        float[] w = G();
        w[0] = 0f;
        Check("penalty gradient", Float, [w, G()], [1],
            (acc, b) => acc.PenaltyGradient(b[0], length, 0.01f, 0.002f, b[1]));
    }

    [SkippableTheory]
    [MemberData(nameof(Lengths))]
    public void Optimizers_adding_their_gradients_squares(int length)
    {
        var random = new System.Random(length + 1);
        float[] G() => Uniform(random, length);
        float[] Positive() => Uniform(random, length, 0f, 1f);
        var sums = new Tolerance(1e-6, 1e-6);
        float[][] sgd = [G(), G(), G(), Uniform(random, 2)], adam = [G(), G(), G(), Positive(), Uniform(random, 2)];
        Action<IAccelerator, DeviceBuffer[]> sgdUpdate = (acc, b) =>
            acc.SgdUpdate(b[0], length, 0.1f, 0.9f, false, b[1], b[2], new GradientSquares(b[3], 1));
        Action<IAccelerator, DeviceBuffer[]> adamUpdate = (acc, b) =>
            acc.AdamUpdate(b[0], length, 0.001f, 0.9f, 0.999f, 1e-7f, b[1], b[2], b[3], new GradientSquares(b[4], 1));
        Check("momentum adding squares", Float, sgd, [1, 2], sgdUpdate);
        Check("momentum's squares", sums, sgd, [3], sgdUpdate);
        Check("adam adding squares", Float, adam, [1, 2, 3], adamUpdate);
        Check("adam's squares", sums, adam, [4], adamUpdate);
    }

    public static TheoryData<int, int, int, int, int, int, int, bool> Windows() => new()
    {
        // batch, channels, height, width, window height, window width, stride, 'same'
        { 1, 1, 28, 28, 5, 5, 1, false },
        { 120, 1, 28, 28, 5, 5, 1, false },
        { 2, 3, 7, 10, 3, 3, 2, true },
        { 1, 2, 10, 7, 4, 2, 3, true },
        { 3, 16, 24, 24, 2, 2, 2, false },
        { 1, 1, 1, 1, 1, 1, 1, false },
    };

    [SkippableTheory]
    [MemberData(nameof(Windows))]
    public void Im2col_and_col2im(int n, int c, int h, int w, int kh, int kw, int stride, bool same)
    {
        Window2D g = Window(n, c, h, w, kh, kw, stride, same);
        var random = new System.Random(n * 1000 + h * 10 + kh);
        int cols = g.PatchSize * g.PatchCount;
        Check("im2col", Exact, [Uniform(random, g.InputLength), Uniform(random, cols)], [1],
            (acc, b) => acc.Im2Col(b[0], g, b[1]));
        // Each pixel sums its patch copies in another order than the CPU's loop.
        Check("col2im", Float, [Uniform(random, cols), Uniform(random, g.InputLength)], [1],
            (acc, b) => acc.Col2Im(b[0], g, b[1]));
    }

    [SkippableTheory]
    [InlineData(1, 1, 1)]
    [InlineData(16, 120, 576)]
    [InlineData(7, 10, 3)]
    public void Axis_swap_and_channel_bias(int a, int b, int inner)
    {
        var random = new System.Random(a * b + inner);
        int length = a * b * inner;
        Check("swap leading axes", Exact, [Uniform(random, length), Uniform(random, length)], [1],
            (acc, x) => acc.SwapLeadingAxes(x[0], a, b, inner, x[1]));
        Check("add channel bias", Exact, [Uniform(random, b), Uniform(random, length)], [1],
            (acc, x) => acc.AddChannelBias(x[0], a, b, inner, x[1]));
        Check("channel bias gradient", new Tolerance(1e-6, 1e-6), [Uniform(random, length), Uniform(random, b)], [1],
            (acc, x) => acc.ChannelBiasGradient(x[0], a, b, inner, x[1]));
    }

    [SkippableTheory]
    [MemberData(nameof(Windows))]
    public void Pooling(int n, int c, int h, int w, int kh, int kw, int stride, bool same)
    {
        Window2D g = Window(n, c, h, w, kh, kw, stride, same);
        var random = new System.Random(n * 1000 + h * 10 + kh);
        int outputs = g.Batch * g.Channels * g.OutputPlane;
        float[] x = Uniform(random, g.InputLength);
        // Ties: the first maximum in row-major window order must win on both.
        for (int i = 0; i + 1 < x.Length; i += 5) x[i + 1] = x[i];
        Check("max pool forward", Exact, [x, Uniform(random, outputs), Uniform(random, outputs)], [1, 2],
            (acc, b) => acc.MaxPoolForward(b[0], g, b[1], b[2]));

        float[] argmax = OnCpu([x, new float[outputs], new float[outputs]], [2],
            (acc, b) => acc.MaxPoolForward(b[0], g, b[1], b[2]))[0];
        float[] l2 = OnCpu([x, new float[outputs]], [1], (acc, b) => acc.L2PoolForward(b[0], g, b[1]))[0];
        // The same order of additions per plane as the CPU: exact.
        Check("max pool backward", Exact, [Uniform(random, outputs), argmax, Uniform(random, g.InputLength)], [2],
            (acc, b) => acc.MaxPoolBackward(b[0], b[1], g, b[2]));
        Check("average pool forward", Float, [x, Uniform(random, outputs)], [1],
            (acc, b) => acc.AveragePoolForward(b[0], g, b[1]));
        Check("average pool backward", Float, [Uniform(random, outputs), Uniform(random, g.InputLength)], [1],
            (acc, b) => acc.AveragePoolBackward(b[0], g, b[1]));
        Check("l2 pool forward", Float, [x, Uniform(random, outputs)], [1],
            (acc, b) => acc.L2PoolForward(b[0], g, b[1]));
        Check("l2 pool backward", Float, [x, l2, Uniform(random, outputs), Uniform(random, g.InputLength)], [3],
            (acc, b) => acc.L2PoolBackward(b[0], b[1], b[2], g, b[3]));
    }

    [SkippableTheory]
    [InlineData(1, 0.2f)]
    [InlineData(7, 0.5f)]
    [InlineData(10, 0f)]
    [InlineData(784, 0.2f)]
    [InlineData(120 * 2304 + 1, 0.2f)]
    [InlineData(1001, 0.9f)]
    public void Dropout_masks_are_bit_identical(int length, float rate)
    {
        var random = new System.Random(length);
        // A seed and a stream with high bits set, so all 64 bits of each reach Philox.
        const ulong seed = 0x1234_5678_9ABC_DEF1, stream = 0x0F0E_0D0C_0000_0007;
        Check("dropout forward", Exact, [Uniform(random, length), Uniform(random, length), Uniform(random, length)],
            [1, 2], (acc, b) => acc.DropoutForward(b[0], length, rate, seed, stream, b[1], b[2]));
        Check("dropout forward after a ReLU", Exact,
            [Uniform(random, length), Uniform(random, length), Uniform(random, length)], [1, 2],
            (acc, b) => acc.DropoutForward(b[0], length, rate, seed, stream, b[1], b[2], afterRelu: true));
        float[] mask = new float[length];
        float scale = 1f / (1f - rate);
        for (int i = 0; i < length; i++) mask[i] = random.NextSingle() < 0.5f ? 0f : scale;
        Check("dropout backward", Exact, [Uniform(random, length), mask, Uniform(random, length)], [2],
            (acc, b) => acc.DropoutBackward(b[0], b[1], length, b[2]));
        // dx starts as NaN: a setting kernel must not read it.
        Check("dropout backward (set)", Exact, [Uniform(random, length), mask,
            Enumerable.Repeat(float.NaN, length).ToArray()], [2],
            (acc, b) => acc.DropoutBackwardSet(b[0], b[1], length, b[2]));
    }

    [SkippableTheory]
    [InlineData(1, 1, 1, true)]
    [InlineData(7, 10, 1, false)]
    [InlineData(120, 16, 576, true)]
    [InlineData(2, 3, 784, false)]
    public void Batch_normalization(int batch, int channels, int spatial, bool affine)
    {
        var random = new System.Random(batch * channels + spatial);
        int length = batch * channels * spatial;
        float[] x = Uniform(random, length, -3f, 5f);
        float[] gamma = Uniform(random, channels, 0.5f, 2f), beta = Uniform(random, channels);
        float[] movingMean = Uniform(random, channels), movingVariance = Uniform(random, channels, 0.5f, 2f);
        // Statistics in double on both, summed in different orders.
        var statistics = new Tolerance(1e-5, 1e-5);
        Check("batch norm training", statistics,
            [x, gamma, beta, Uniform(random, length), Uniform(random, 2 * channels), movingMean, movingVariance],
                [3, 4, 5, 6],
            (acc, b) =>
                acc.BatchNormForwardTraining(b[0], affine ? b[1] : null, affine ? b[2] : null, batch, channels, spatial,
                    0.9f, 1e-3f, b[3], b[4], b[5], b[6]));
        Check("batch norm inference", Float, [x, gamma, beta, movingMean, movingVariance, Uniform(random, length)], [5],
            (acc, b) =>
                acc.BatchNormForwardInference(b[0], affine ? b[1] : null, affine ? b[2] : null, b[3], b[4], batch,
                    channels, spatial, 1e-3f, b[5]));
        float[] saved = new float[2 * channels];
        for (int c = 0; c < channels; c++)
        {
            saved[c] = 1f;
            saved[channels + c] = 0.25f;
        }
        Check("batch norm backward", statistics,
            [x, gamma, saved, Uniform(random, length), Uniform(random, length), Uniform(random, channels),
                Uniform(random, channels)], [4, 5, 6],
            (acc, b) =>
                acc.BatchNormBackward(b[0], affine ? b[1] : null, b[2], b[3], batch, channels, spatial, b[4], b[5],
                    b[6]));
        Check("batch norm backward setting dx", statistics,
            [x, gamma, saved, Uniform(random, length), Enumerable.Repeat(float.NaN, length).ToArray(),
                Uniform(random, channels), Uniform(random, channels)], [4, 5, 6],
            (acc, b) =>
                acc.BatchNormBackward(b[0], affine ? b[1] : null, b[2], b[3], batch, channels, spatial, b[4], b[5],
                    b[6], setDx: true));
        Check("batch norm backward without dx", statistics,
            [x, gamma, saved, Uniform(random, length), Uniform(random, channels), Uniform(random, channels)], [4, 5],
            (acc, b) => acc.BatchNormBackward(b[0], b[1], b[2], b[3], batch, channels, spatial, null, b[4], b[5]));
    }

    [SkippableTheory]
    [InlineData(1, 1)]
    [InlineData(120, 10)]
    [InlineData(7, 784)]
    public void PRelu(int batch, int units)
    {
        var random = new System.Random(batch + units);
        int length = batch * units;
        float[] x = Uniform(random, length), alpha = Uniform(random, units, 0f, 0.5f);
        Check("prelu forward", Exact, [x, alpha, Uniform(random, length)], [2],
            (acc, b) => acc.PReluForward(b[0], b[1], batch, units, b[2]));
        // A thread per unit sums over the batch in the CPU's order.
        Check("prelu backward", Exact,
            [x, alpha, Uniform(random, length), Uniform(random, length), Uniform(random, units)], [3, 4],
            (acc, b) => acc.PReluBackward(b[0], b[1], b[2], batch, units, b[3], b[4]));
        Check("prelu backward without dx", Exact, [x, alpha, Uniform(random, length), Uniform(random, units)], [3],
            (acc, b) => acc.PReluBackward(b[0], b[1], b[2], batch, units, null, b[3]));
    }

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(784)]
    public void Fill_sets_a_prefix(int length)
    {
        var random = new System.Random(length);
        Check("fill", Exact, [Uniform(random, length + 3)], [0], (acc, b) => acc.Fill(-2.5f, length, b[0]));
        Check("fill with zero", Exact, [Uniform(random, length + 3)], [0], (acc, b) => acc.Fill(0f, length, b[0]));
    }

    [SkippableTheory]
    [MemberData(nameof(Activations))]
    public void Activation_backward_that_sets(ActivationKind kind, int length)
    {
        var random = new System.Random(length * 3 + (int)kind);
        float[] x = Uniform(random, length, -4f, 4f), y = Uniform(random, length, 0f, 1f);
        // dx starts as NaN: a setting kernel must not read it.
        float[] dx = Enumerable.Repeat(float.NaN, length).ToArray();
        Check($"{kind} backward (set)", Float, [x, y, Uniform(random, length), dx], [3],
            (acc, b) => acc.ActivationBackwardSet(kind, 0.3f, b[0], b[1], b[2], length, b[3]));
    }

    [SkippableTheory]
    [MemberData(nameof(Windows))]
    public void Max_pooling_with_a_relu_and_setting_gradients(int n, int c, int h, int w, int kh, int kw, int stride,
        bool same)
    {
        Window2D g = Window(n, c, h, w, kh, kw, stride, same);
        var random = new System.Random(n * 100 + h * 7 + kw);
        int outputs = g.Batch * g.Channels * g.OutputPlane;
        float[] x = Uniform(random, g.InputLength);
        float[][] pooled = OnCpu([x, new float[outputs], new float[outputs]], [1, 2],
            (acc, b) => acc.MaxPoolReluForward(b[0], g, b[1], b[2]));
        float[] y = pooled[0], argmax = pooled[1];
        float[] NaNs(int length) => Enumerable.Repeat(float.NaN, length).ToArray();
        Check("max pool + relu forward", Exact, [x, Uniform(random, outputs), Uniform(random, outputs)], [1, 2],
            (acc, b) => acc.MaxPoolReluForward(b[0], g, b[1], b[2]));
        Check("max pool backward (set)", Exact, [Uniform(random, outputs), argmax, NaNs(g.InputLength)], [2],
            (acc, b) => acc.MaxPoolBackwardSet(b[0], b[1], g, b[2]));
        Check("max pool + relu backward (set)", Exact,
            [Uniform(random, outputs), y, argmax, NaNs(g.InputLength), Uniform(random, outputs)], [3],
            (acc, b) => acc.MaxPoolReluBackward(b[0], b[1], b[2], g, b[3], b[4], set: true));
        Check("max pool + relu backward (add)", Exact,
            [Uniform(random, outputs), y, argmax, Uniform(random, g.InputLength), Uniform(random, outputs)], [3],
            (acc, b) => acc.MaxPoolReluBackward(b[0], b[1], b[2], g, b[3], b[4], set: false));
    }

    public static TheoryData<int, int, int, int, int, int, bool, int> Convolutions() => new()
    {
        // batch, channels, height, width, kernel, stride, 'same', filters
        { 1, 1, 28, 28, 5, 1, false, 3 },
        { 3, 2, 10, 7, 3, 2, true, 5 },
        { 2, 3, 12, 12, 5, 1, false, 4 },
        { 1, 1, 1, 1, 1, 1, false, 1 },
    };

    [SkippableTheory]
    [MemberData(nameof(Convolutions))]
    public void Convolution_forward_and_backward(int n, int c, int h, int w, int k, int stride, bool same, int filters)
    {
        Window2D g = Window(n, c, h, w, k, k, stride, same);
        var random = new System.Random(n * 31 + c * 7 + h + filters);
        int outputs = n * filters * g.OutputPlane;
        float[][] Buffers() =>
        [
            Uniform(random, g.InputLength), Uniform(random, filters * g.PatchSize), Uniform(random, filters),
            new float[g.PatchSize * g.PatchCount], new float[filters * g.PatchCount], Uniform(random, outputs),
            Uniform(random, outputs), Uniform(random, filters * g.PatchSize), Uniform(random, filters),
                Uniform(random, g.InputLength),
        ];
        // Sums over C·kh·kw products (forward, input gradient) and N·OH·OW products (kernel gradient) in other
        // orders.
        var sums = new Tolerance(1e-4, 1e-4);
        Check("convolution forward", sums, Buffers(), [5],
            (acc, b) => acc.Conv2DForward(b[0], b[1], b[2], g, filters, b[3], b[4], b[5]));
        foreach (bool setDx in new[] { false, true })
            Check($"convolution backward (setDx {setDx})", sums, Buffers(), [7, 8, 9], (acc, b) =>
            {
                acc.Conv2DForward(b[0], b[1], b[2], g, filters, b[3], b[4], b[5]);
                acc.Conv2DBackward(b[0], b[1], b[6], g, filters, b[3], b[4], b[7], b[8], b[9], setDx);
            });
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Convolution_with_max_pooling(bool relu)
    {
        const int n = 2, filters = 3;
        Window2D g = Window(n, 2, 11, 12, 3, 3, 1, false);
        Window2D pool = Window(n, filters, g.OutputHeight, g.OutputWidth, 2, 2, 2, false);
        var random = new System.Random(relu ? 7 : 3);
        int convOutputs = n * filters * g.OutputPlane, pooled = n * filters * pool.OutputPlane;
        float[][] buffers =
        [
            Uniform(random, g.InputLength), Uniform(random, filters * g.PatchSize), Uniform(random, filters),
            new float[g.PatchSize * g.PatchCount], new float[filters * g.PatchCount], new float[convOutputs],
            Uniform(random, pooled), Uniform(random, pooled), Uniform(random, pooled), new float[convOutputs],
                new float[pooled],
            Uniform(random, filters * g.PatchSize), Uniform(random, filters), Uniform(random, g.InputLength),
        ];
        var sums = new Tolerance(1e-4, 1e-4);
        Check($"convolution + max pooling (relu {relu})", sums, buffers, [6, 7, 11, 12, 13], (acc, b) =>
        {
            var convolution = new ConvolutionStep(g, filters, b[0], b[1], b[3], b[4]);
            var pooling = new PoolingStep(pool, relu, b[6], b[7]);
            acc.Conv2DMaxPoolForward(convolution, b[2], b[5], pooling);
            acc.Conv2DMaxPoolBackward(convolution, pooling, b[8], b[9], b[10],
                new ConvolutionGradients(b[11], b[12], b[13], SetInput: false));
        });
    }
}
