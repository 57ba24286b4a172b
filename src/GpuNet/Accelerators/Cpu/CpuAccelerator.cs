using System.Numerics.Tensors;
using GpuNet.Accelerators.Cpu.Reference;
using GpuNet.Accelerators.Cpu.Fast;
using GpuNet.Accelerators.Cpu.Contracts;
using GpuNet.Accelerators.Cpu.Threads;

namespace GpuNet.Accelerators.Cpu;

/// <summary>
/// The accelerator that runs every kernel on the host: the fallback where there is no GPU, and
/// the reference the ILGPU kernels are compared with. The hot kernels are the vectorised ones in
/// <c>Cpu/Fast</c>, each tested against its plain twin in <c>Cpu/Reference</c>; where no fast kernel
/// exists (softmax, the losses, the reductions, PReLU, im2col) the reference itself runs.
/// </summary>
/// <remarks>
/// A call allocates nothing: loop bodies are static lambdas that get their buffers through a
/// state tuple (for the optimizers, a named record from OptimizerPasses.cs), and the threads are
/// <see cref="CpuParallel"/>'s, started once.
/// </remarks>
public sealed class CpuAccelerator : IAccelerator
{
    public string Name => "cpu";

    public string Description => $"cpu ({CpuParallel.ThreadCount} threads)";

    // On 2 cores, MNIST at batch 120: a thread beside the step got a core only once a compute
    // thread gave one up, so on quick steps the next step waited about 90 µs for its batch (and the
    // thread's work had slowed the step); both compute threads make it in about 50 µs.
    public bool PreparesBatchesBesideSteps => CpuParallel.ThreadCount < Environment.ProcessorCount;

    public DeviceBuffer Allocate(int length) => new CpuBuffer(length);

    public void Upload(ReadOnlySpan<float> source, DeviceBuffer destination) => source.CopyTo(Data(destination));

    public void Download(DeviceBuffer source, Span<float> destination) =>
        Data(source).AsSpan(0, destination.Length).CopyTo(destination);

    public void Fill(float value, int length, DeviceBuffer buffer) => Data(buffer).AsSpan(0, length).Fill(value);

    public void Synchronize() { }

    public void Gemm(bool transposeA, bool transposeB, DeviceBuffer a, DeviceBuffer b, int m, int n, int k, float alpha,
        float beta, DeviceBuffer c) =>
        FastGemm.Multiply(transposeA, transposeB, Data(a), Data(b), m, n, k, alpha, beta, Data(c));

    /// <summary>
    /// The two products side by side, one a thread (the bias's sums with the kernel's), where each is worth a thread of
    /// its own: each thread then packs only its own product's operands, and the step waits once. Split across both
    /// threads in turn, each product packed dy on both threads and the step waited twice: the batch-norm MLP's
    /// 100 × 256 × 256 pair took 176 µs (median) that way and 150 side by side on the Xeon's AVX-512 path, 198 and 184
    /// on its AVX2 path. Either way each product is <see cref="FastGemm"/>'s, whose sums do not depend on the thread
    /// count.
    /// </summary>
    public void DenseBackward(DeviceBuffer x, DeviceBuffer kernel, DeviceBuffer dy, int batch, int inputs,
        int outputs, DenseGradients gradients)
    {
        if (gradients.Input is null || CpuParallel.ThreadCount < 2
            || !FastGemm.WorthAThread(batch, inputs, outputs))
        {
            // In turn, each product over every thread.
            gradients.InTurn(this, x, kernel, dy, batch, inputs, outputs);
            return;
        }
        CpuParallel.For(2, long.MaxValue / 2, (Data(x), Data(kernel), Data(dy), batch, inputs, outputs, gradients),
            static (in (float[] X, float[] Kernel, float[] Dy, int Batch, int Inputs, int Outputs, DenseGradients G) s,
                int first, int end) =>
            {
                for (int product = first; product < end; product++)
                {
                    if (product == 0)
                    {
                        FastGemm.Multiply(true, false, s.X, s.Dy, s.Inputs, s.Outputs, s.Batch, 1f,
                            s.G.SetKernel ? 0f : 1f, Data(s.G.Kernel), GemmKernelKind.Auto, threads: 1);
                        if (s.G.Bias is { } dBias)
                            FastActivations.BiasGradient(s.Dy.AsSpan(0, s.Batch * s.Outputs), s.Batch, s.Outputs,
                                Data(dBias));
                    }
                    else
                    {
                        FastGemm.Multiply(false, true, s.Dy, s.Kernel, s.Batch, s.Inputs, s.Outputs, 1f,
                            s.G.SetInput ? 0f : 1f, Data(s.G.Input!), GemmKernelKind.Auto, threads: 1);
                    }
                }
            });
    }

    public void Add(DeviceBuffer a, DeviceBuffer b, int length, DeviceBuffer y) =>
        ForChunks(length, ElementwiseCost, (Data(a), Data(b), Data(y)),
            static (in (float[] A, float[] B, float[] Y) s, int start, int end) =>
            TensorPrimitives.Add(s.A.AsSpan(start..end), s.B.AsSpan(start..end), s.Y.AsSpan(start..end)));

    public void AddBias(DeviceBuffer bias, int rows, int cols, DeviceBuffer x) =>
        CpuParallel.For(rows, cols, (Data(bias), cols, Data(x)),
            static (in (float[] Bias, int Cols, float[] X) s, int start, int end) =>
            FastActivations.AddBias(s.Bias, end - start, s.Cols, s.X.AsSpan(start * s.Cols, (end - start) * s.Cols)));

    public void BiasGradient(DeviceBuffer dy, int rows, int cols, DeviceBuffer dBias) =>
        FastActivations.BiasGradient(Data(dy).AsSpan(0, rows * cols), rows, cols, Data(dBias));

    public void ActivationForward(ActivationKind kind, float alpha, DeviceBuffer x, int length, DeviceBuffer y) =>
        ForChunks(length, ActivationCost(kind), (kind, alpha, Data(x), Data(y)),
            static (in (ActivationKind Kind, float Alpha, float[] X, float[] Y) s, int start, int end) =>
            FastActivations.Forward(s.Kind, s.Alpha, s.X.AsSpan(start..end), s.Y.AsSpan(start..end)));

    public void ActivationBackward(ActivationKind kind, float alpha, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy,
        int length, DeviceBuffer dx) =>
        ForChunks(length, ElementwiseCost, (kind, alpha, Data(x), Data(y), Data(dy), Data(dx)),
            static (in (ActivationKind Kind, float Alpha, float[] X, float[] Y, float[] Dy, float[] Dx) s, int start,
                int end) =>
                FastActivations.Backward(s.Kind, s.Alpha, s.X.AsSpan(start..end), s.Y.AsSpan(start..end),
                    s.Dy.AsSpan(start..end), s.Dx.AsSpan(start..end)));

    public void SoftmaxForward(DeviceBuffer x, int rows, int cols, DeviceBuffer y) =>
        ReferenceSoftmax.Forward(Data(x), rows, cols, Data(y));

    public void SoftmaxBackward(DeviceBuffer y, DeviceBuffer dy, int rows, int cols, DeviceBuffer dx) =>
        ReferenceSoftmax.Backward(Data(y), Data(dy), rows, cols, Data(dx));

    public void LossForward(LossKind kind, DeviceBuffer prediction, DeviceBuffer target, int rows, int cols,
        DeviceBuffer lossPerSample) =>
        ReferenceLosses.Forward(kind, Data(prediction), Data(target), rows, cols, Data(lossPerSample));

    public void LossBackward(LossKind kind, DeviceBuffer prediction, DeviceBuffer target, int rows, int cols,
        float scale, DeviceBuffer dPrediction) =>
        ReferenceLosses.Backward(kind, Data(prediction), Data(target), rows, cols, scale, Data(dPrediction));

    public void AccumulateSum(DeviceBuffer values, int length, int index, DeviceBuffer accumulator) =>
        Data(accumulator)[index] += ReferenceReductions.Sum(Data(values).AsSpan(0, length));

    public void AccumulateCorrect(DeviceBuffer prediction, DeviceBuffer target, int rows, int cols, int index,
        DeviceBuffer accumulator) =>
        Data(accumulator)[index] += ReferenceReductions.CountCorrect(Data(prediction), Data(target), rows, cols);

    public void SgdUpdate(DeviceBuffer gradient, int length, float learningRate, float momentum, bool nesterov,
        DeviceBuffer parameter, DeviceBuffer? velocity, GradientSquares? squares = null) =>
        Update(length,
            new SgdPass(Data(gradient), learningRate, momentum, nesterov, Data(parameter), OptionalData(velocity)),
            squares);

    public void AdagradUpdate(DeviceBuffer gradient, int length, float learningRate, float epsilon,
        DeviceBuffer parameter, DeviceBuffer accumulator, GradientSquares? squares = null) =>
        Update(length, new AdagradPass(Data(gradient), learningRate, epsilon, Data(parameter), Data(accumulator)),
            squares);

    public void AdadeltaUpdate(DeviceBuffer gradient, int length, float learningRate, float rho, float epsilon,
        DeviceBuffer parameter, DeviceBuffer accumulator, DeviceBuffer deltaAccumulator,
        GradientSquares? squares = null) =>
        Update(length, new AdadeltaPass(Data(gradient), learningRate, rho, epsilon, Data(parameter), Data(accumulator),
            Data(deltaAccumulator)), squares);

    public void RmspropUpdate(DeviceBuffer gradient, int length, float learningRate, float rho, float epsilon,
        DeviceBuffer parameter, DeviceBuffer accumulator, GradientSquares? squares = null) =>
        Update(length, new RmspropPass(Data(gradient), learningRate, rho, epsilon, Data(parameter), Data(accumulator)),
            squares);

    public void AdamUpdate(DeviceBuffer gradient, int length, float correctedLearningRate, float beta1, float beta2,
        float epsilon, DeviceBuffer parameter, DeviceBuffer firstMoment, DeviceBuffer secondMoment,
        GradientSquares? squares = null) =>
        Update(length,
            new AdamPass(Data(gradient), correctedLearningRate, beta1, beta2, epsilon, Data(parameter),
                Data(firstMoment), Data(secondMoment)), squares);

    public void AdamaxUpdate(DeviceBuffer gradient, int length, float correctedLearningRate, float beta1, float beta2,
        float epsilon, DeviceBuffer parameter, DeviceBuffer firstMoment, DeviceBuffer infinityNorm,
        GradientSquares? squares = null) =>
        Update(length,
            new AdamaxPass(Data(gradient), correctedLearningRate, beta1, beta2, epsilon, Data(parameter),
                Data(firstMoment), Data(infinityNorm)), squares);

    public void NadamUpdate(DeviceBuffer gradient, int length, in NadamScalars scalars, DeviceBuffer parameter,
        DeviceBuffer firstMoment, DeviceBuffer secondMoment, GradientSquares? squares = null) =>
        Update(length, new NadamPass(Data(gradient), scalars, Data(parameter), Data(firstMoment), Data(secondMoment)),
            squares);

    /// <summary>An optimizer's update in fixed chunks over the worker threads; with <paramref name="squares"/>,
    /// each chunk's Σg² taken in its loop and added as <see cref="AccumulatePenalty"/> adds them, to the same
    /// bits.</summary>
    private static void Update<TUpdate>(int length, in TUpdate update, GradientSquares? squares)
        where TUpdate : struct, IOptimizerPass
    {
        if (squares is not { } target)
        {
            ForChunks(length, ElementwiseCost, update,
                static (in TUpdate u, int start, int end) => u.Run(start, end, sumSquares: false));
            return;
        }
        double[] sums = ChunkSums(length);
        ForChunks(length, ElementwiseCost, (update, sums),
            static (in (TUpdate Update, double[] Sums) s, int start, int end) =>
            {
                for (int first = start; first < end; first += Chunk)
                    s.Sums[first / Chunk] = s.Update.Run(first, Math.Min(end, first + Chunk), sumSquares: true);
            });
        AddChunkSums(sums, length, 1f, target.Index, target.Accumulator);
    }

    // Each fixed chunk's sum on whichever thread takes it, then the chunks' sums in order: the
    // same total for any thread count, and the pass over a large kernel (a regularizer's, every
    // step) shared by both threads.
    public void AccumulatePenalty(DeviceBuffer parameter, int length, float l1, float l2, float scale, int index,
        DeviceBuffer accumulator)
    {
        double[] sums = ChunkSums(length);
        ForChunks(length, ElementwiseCost, (Data(parameter), l1, l2, sums),
            static (in (float[] W, float L1, float L2, double[] Sums) s, int start, int end) =>
        {
            for (int first = start; first < end; first += Chunk)
                s.Sums[first / Chunk] = FastOptimizers.Penalty(s.W.AsSpan(first, Math.Min(Chunk, end - first)), s.L1,
                    s.L2);
        });
        AddChunkSums(sums, length, scale, index, accumulator);
    }

    /// <summary>A place for each chunk's sum of a reduction over <paramref name="length"/> elements.</summary>
    private static double[] ChunkSums(int length)
    {
        int chunks = (length + Chunk - 1) / Chunk;
        if (t_chunkSums is null || t_chunkSums.Length < chunks) t_chunkSums = new double[chunks];
        return t_chunkSums;
    }

    /// <summary>accumulator[index] += scale · the chunks' sums, added in order.</summary>
    private static void AddChunkSums(double[] sums, int length, float scale, int index, DeviceBuffer accumulator)
    {
        int chunks = (length + Chunk - 1) / Chunk;
        double total = 0;
        for (int c = 0; c < chunks; c++) total += sums[c];
        Data(accumulator)[index] += (float)(scale * total);
    }

    [ThreadStatic] private static double[]? t_chunkSums;

    public void PenaltyGradient(DeviceBuffer parameter, int length, float l1, float l2, DeviceBuffer gradient) =>
        ForChunks(length, ElementwiseCost, (Data(parameter), l1, l2, Data(gradient)),
            static (in (float[] W, float L1, float L2, float[] G) s, int start, int end) =>
            ReferenceOptimizers.PenaltyGradient(s.W.AsSpan(start..end), s.L1, s.L2, s.G.AsSpan(start..end)));

    public void Dispose() { }

    private static float[] Data(DeviceBuffer buffer) => buffer is CpuBuffer cpu
        ? cpu.Data
        : throw new ArgumentException($"A {buffer.GetType().Name} was passed to the CPU accelerator; buffers belong " +
            $"to the accelerator that allocated them.");

    /// <summary>Elements per work item of an elementwise kernel; each thread gets whole chunks, each a contiguous
    /// range.</summary>
    private const int Chunk = 1 << 14;

    /// <summary>
    /// What an element of an elementwise kernel costs, in the multiply-adds <see cref="CpuParallel"/>
    /// weighs work in: a few loads and stores and several operations, so that a parameter tensor of
    /// a few hundred thousand elements is split across threads and a 120×512 activation is not.
    /// </summary>
    private const long ElementwiseCost = 8;

    // exp and tanh cost several times a plain elementwise operation.
    private static long ActivationCost(ActivationKind kind) => kind is ActivationKind.Sigmoid or ActivationKind.Tanh
        ? 4 * ElementwiseCost : ElementwiseCost;

    /// <summary>Runs <paramref name="body"/> over element ranges [start, end) of [0, <paramref name="length"/>), whole
    /// chunks per thread.</summary>
    private static void ForChunks<TState>(int length, long workPerElement, in TState state,
        CpuParallel.RangeBody<TState> body)
    {
        int chunks = (length + Chunk - 1) / Chunk;
        CpuParallel.For(chunks, Chunk * workPerElement, (state, body, length),
            static (in (TState State, CpuParallel.RangeBody<TState> Body, int Length) s, int first, int last) =>
                s.Body(in s.State, first * Chunk, Math.Min(s.Length, last * Chunk)));
    }

    // ── Convolutional networks: convolution by im2col + GEMM, pooling, dropout, batch normalization, PReLU ──

    // The implicit-GEMM convolution gathers its patches itself: no im2col matrix, no filter-major result.
    public (int Columns, int FilterMajor) Conv2DWorkspaceLengths(Window2D window, int filters) => (0, 0);

    public void Conv2DForward(DeviceBuffer x, DeviceBuffer kernel, DeviceBuffer? bias, Window2D window, int filters,
        DeviceBuffer col, DeviceBuffer filterMajor, DeviceBuffer y) =>
        FastConvolution.Forward(Data(x), Data(kernel), bias is null ? null : Data(bias), window, filters, Data(y));

    public void Conv2DBackward(DeviceBuffer x, DeviceBuffer kernel, DeviceBuffer dy, Window2D window, int filters,
        DeviceBuffer col, DeviceBuffer filterMajor, DeviceBuffer dKernel, DeviceBuffer? dBias, DeviceBuffer? dx,
            bool setDx)
    {
        FastConvolution.BackwardKernel(Data(x), Data(dy), window, filters, Data(dKernel),
            dBias is null ? null : Data(dBias));
        if (dx is not null) FastConvolution.BackwardData(Data(kernel), Data(dy), window, filters, Data(dx), setDx);
    }

    // Each image's output is pooled while it is in L2, and each piece of dy made from the
    // pooling's gradient where it is used: the full-size output and its gradient are never touched.
    public void Conv2DMaxPoolForward(ConvolutionStep convolution, DeviceBuffer? bias, DeviceBuffer convOutput,
        PoolingStep pooling) =>
        FastConvolution.ForwardFused(Data(convolution.X), Data(convolution.Kernel), bias is null ? null : Data(bias),
            convolution.Window,
            convolution.Filters, pooling.Window, pooling.Relu, Data(pooling.Y), Data(pooling.Argmax));

    public void Conv2DMaxPoolBackward(ConvolutionStep convolution, PoolingStep pooling, DeviceBuffer dy,
        DeviceBuffer convOutputGradient, DeviceBuffer? masked, ConvolutionGradients gradients)
    {
        var fused = new FusedPoolingGradient(Data(dy), Data(pooling.Argmax), pooling.Relu ? Data(pooling.Y) : null,
            pooling.Window);
        var (window, filters) = (convolution.Window, convolution.Filters);
        FastConvolution.BackwardKernelFused(Data(convolution.X), fused, window, filters, Data(gradients.Kernel),
            gradients.Bias is null ? null : Data(gradients.Bias));
        if (gradients.Input is { } dx)
            FastConvolution.BackwardDataFused(Data(convolution.Kernel), fused, window, filters, Data(dx),
                gradients.SetInput);
    }

    public void Im2Col(DeviceBuffer x, Window2D window, DeviceBuffer col) =>
        ReferenceConvolution.Im2Col(Data(x), window, Data(col));

    public void Col2Im(DeviceBuffer dCol, Window2D window, DeviceBuffer dx) =>
        ReferenceConvolution.Col2Im(Data(dCol), window, Data(dx));

    public void SwapLeadingAxes(DeviceBuffer x, int a, int b, int inner, DeviceBuffer y) =>
        ReferenceConvolution.SwapLeadingAxes(Data(x), a, b, inner, Data(y));

    public void ActivationBackwardSet(ActivationKind kind, float alpha, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy,
        int length, DeviceBuffer dx) =>
        ForChunks(length, ElementwiseCost, (kind, alpha, Data(x), Data(y), Data(dy), Data(dx)),
            static (in (ActivationKind Kind, float Alpha, float[] X, float[] Y, float[] Dy, float[] Dx) s, int start,
                int end) =>
                FastActivations.Backward(s.Kind, s.Alpha, s.X.AsSpan(start..end), s.Y.AsSpan(start..end),
                    s.Dy.AsSpan(start..end), s.Dx.AsSpan(start..end), set: true));

    public void AddChannelBias(DeviceBuffer bias, int batch, int channels, int spatial, DeviceBuffer y) =>
        FastChannelBias.Add(Data(bias), batch, channels, spatial, Data(y));

    public void ChannelBiasGradient(DeviceBuffer dy, int batch, int channels, int spatial, DeviceBuffer dBias) =>
        FastChannelBias.Gradient(Data(dy), batch, channels, spatial, Data(dBias));

    public void MaxPoolForward(DeviceBuffer x, Window2D window, DeviceBuffer y, DeviceBuffer argmax) =>
        FastMaxPooling.MaxForward(Data(x), window, Data(y), Data(argmax));

    public void MaxPoolBackward(DeviceBuffer dy, DeviceBuffer argmax, Window2D window, DeviceBuffer dx) =>
        FastMaxPooling.MaxBackward(Data(dy), Data(argmax), window, Data(dx), set: false);

    public void MaxPoolBackwardSet(DeviceBuffer dy, DeviceBuffer argmax, Window2D window, DeviceBuffer dx) =>
        FastMaxPooling.MaxBackward(Data(dy), Data(argmax), window, Data(dx), set: true);

    public void MaxPoolReluForward(DeviceBuffer x, Window2D window, DeviceBuffer y, DeviceBuffer argmax) =>
        FastMaxPooling.MaxForward(Data(x), window, Data(y), Data(argmax), relu: true);

    // The mask is taken in the pooling's own pass: no masked copy of dy.
    public void MaxPoolReluBackward(DeviceBuffer dy, DeviceBuffer y, DeviceBuffer argmax, Window2D window,
        DeviceBuffer dx, DeviceBuffer masked, bool set) =>
        FastMaxPooling.MaxBackward(Data(dy), Data(argmax), window, Data(dx), set, reluOutput: Data(y));

    public void AveragePoolForward(DeviceBuffer x, Window2D window, DeviceBuffer y) =>
        FastSumPooling.AverageForward(Data(x), window, Data(y));

    public void AveragePoolBackward(DeviceBuffer dy, Window2D window, DeviceBuffer dx) =>
        FastSumPooling.AverageBackward(Data(dy), window, Data(dx));

    public void L2PoolForward(DeviceBuffer x, Window2D window, DeviceBuffer y) =>
        FastSumPooling.L2Forward(Data(x), window, Data(y));

    public void L2PoolBackward(DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, Window2D window, DeviceBuffer dx) =>
        FastSumPooling.L2Backward(Data(x), Data(y), Data(dy), window, Data(dx));

    public void DropoutForward(DeviceBuffer x, int length, float rate, ulong seed, ulong stream, DeviceBuffer y,
        DeviceBuffer mask, bool afterRelu = false) =>
        FastDropout.Forward(Data(x), length, rate, seed, stream, Data(y), Data(mask), afterRelu);

    public void DropoutBackward(DeviceBuffer dy, DeviceBuffer mask, int length, DeviceBuffer dx) =>
        DropoutGradient(dy, mask, length, dx, set: false);

    public void DropoutBackwardSet(DeviceBuffer dy, DeviceBuffer mask, int length, DeviceBuffer dx) =>
        DropoutGradient(dy, mask, length, dx, set: true);

    // In chunks over the threads, as the activations' backward: dx is then in both cores' caches for the product
    // that reads it next. Written by one thread, the next Dense layer's backward took 40–60 µs longer on Zen 3
    // (784-512-512-10), the other core fetching its share of dy from the first's.
    private static void DropoutGradient(DeviceBuffer dy, DeviceBuffer mask, int length, DeviceBuffer dx, bool set)
    {
        BufferChecks.CheckDropoutGradient(Data(dy), Data(mask), length, Data(dx));
        ForChunks(length, ElementwiseCost, (Data(dy), Data(mask), Data(dx), set),
            static (in (float[] Dy, float[] Mask, float[] Dx, bool Set) s, int start, int end) =>
                FastDropout.GradientRange(s.Dy, s.Mask, s.Dx, start, end, s.Set));
    }

    public void BatchNormForwardTraining(DeviceBuffer x, DeviceBuffer? gamma, DeviceBuffer? beta, int batch,
        int channels, int spatial,
        float momentum, float epsilon, DeviceBuffer y, DeviceBuffer saved, DeviceBuffer movingMean,
            DeviceBuffer movingVariance) =>
        FastBatchNorm.ForwardTraining(new BatchNormTraining(Data(x), OptionalData(gamma), OptionalData(beta), batch,
            channels, spatial, momentum, epsilon, Data(y), Data(saved), Data(movingMean), Data(movingVariance)));

    public void BatchNormForwardInference(DeviceBuffer x, DeviceBuffer? gamma, DeviceBuffer? beta,
        DeviceBuffer movingMean, DeviceBuffer movingVariance,
        int batch, int channels, int spatial, float epsilon, DeviceBuffer y) =>
        FastBatchNorm.ForwardInference(new BatchNormInference(Data(x), OptionalData(gamma), OptionalData(beta),
            Data(movingMean), Data(movingVariance), batch, channels, spatial, epsilon, Data(y)));

    public void BatchNormBackward(DeviceBuffer x, DeviceBuffer? gamma, DeviceBuffer saved, DeviceBuffer dy, int batch,
        int channels, int spatial, DeviceBuffer? dx, DeviceBuffer? dGamma, DeviceBuffer? dBeta, bool setDx = false) =>
        FastBatchNorm.Backward(new BatchNormGradient(Data(x), OptionalData(gamma), Data(saved), Data(dy), batch,
            channels, spatial, OptionalData(dx), OptionalData(dGamma), OptionalData(dBeta), setDx));

    public void PReluForward(DeviceBuffer x, DeviceBuffer alpha, int batch, int units, DeviceBuffer y) =>
        ReferencePRelu.Forward(Data(x), Data(alpha), batch, units, Data(y));

    public void PReluBackward(DeviceBuffer x, DeviceBuffer alpha, DeviceBuffer dy, int batch, int units,
        DeviceBuffer? dx, DeviceBuffer dAlpha) =>
        ReferencePRelu.Backward(Data(x), Data(alpha), Data(dy), batch, units, OptionalData(dx), Data(dAlpha));

    private static float[]? OptionalData(DeviceBuffer? buffer) => buffer is null ? null : Data(buffer);
}
