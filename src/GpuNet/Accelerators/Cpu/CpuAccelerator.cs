namespace GpuNet.Accelerators.Cpu;

/// <summary>
/// The accelerator that runs every kernel on the host: the fallback where there is no GPU, and
/// the reference the CUDA kernels are compared with.
/// </summary>
public sealed class CpuAccelerator : IAccelerator
{
    public string Name => "cpu";

    public DeviceBuffer Allocate(int length) => new CpuBuffer(length);

    public void Upload(ReadOnlySpan<float> source, DeviceBuffer destination) => source.CopyTo(Data(destination));

    public void Download(DeviceBuffer source, Span<float> destination) => Data(source).AsSpan(0, destination.Length).CopyTo(destination);

    public void Fill(float value, int length, DeviceBuffer buffer) => Data(buffer).AsSpan(0, length).Fill(value);

    public void Synchronize() { }

    public void Gemm(bool transposeA, bool transposeB, DeviceBuffer a, DeviceBuffer b, int m, int n, int k, float alpha, float beta, DeviceBuffer c) =>
        CpuFastGemm.Multiply(transposeA, transposeB, Data(a), Data(b), m, n, k, alpha, beta, Data(c));

    public void Add(DeviceBuffer a, DeviceBuffer b, int length, DeviceBuffer y)
    {
        float[] aData = Data(a), bData = Data(b), yData = Data(y);
        ForChunks(length, (start, count) =>
        {
            for (int i = start; i < start + count; i++) yData[i] = aData[i] + bData[i];
        });
    }

    public void AddBias(DeviceBuffer bias, int rows, int cols, DeviceBuffer x)
    {
        float[] biasData = Data(bias), xData = Data(x);
        CpuParallel.For(rows, cols, (start, end) =>
            CpuActivations.AddBias(biasData, end - start, cols, xData.AsSpan(start * cols, (end - start) * cols)));
    }

    public void BiasGradient(DeviceBuffer dy, int rows, int cols, DeviceBuffer dBias) =>
        CpuActivations.BiasGradient(Data(dy).AsSpan(0, rows * cols), rows, cols, Data(dBias));

    public void ActivationForward(ActivationKind kind, float alpha, DeviceBuffer x, int length, DeviceBuffer y)
    {
        float[] xData = Data(x), yData = Data(y);
        ForChunks(length, (start, count) =>
            CpuActivations.Forward(kind, alpha, xData.AsSpan(start, count), yData.AsSpan(start, count)));
    }

    public void ActivationBackward(ActivationKind kind, float alpha, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, int length, DeviceBuffer dx)
    {
        float[] xData = Data(x), yData = Data(y), dyData = Data(dy), dxData = Data(dx);
        ForChunks(length, (start, count) => CpuActivations.Backward(kind, alpha,
            xData.AsSpan(start, count), yData.AsSpan(start, count), dyData.AsSpan(start, count), dxData.AsSpan(start, count)));
    }

    public void SoftmaxForward(DeviceBuffer x, int rows, int cols, DeviceBuffer y) =>
        CpuSoftmax.Forward(Data(x), rows, cols, Data(y));

    public void SoftmaxBackward(DeviceBuffer y, DeviceBuffer dy, int rows, int cols, DeviceBuffer dx) =>
        CpuSoftmax.Backward(Data(y), Data(dy), rows, cols, Data(dx));

    public void LossForward(LossKind kind, DeviceBuffer prediction, DeviceBuffer target, int rows, int cols, DeviceBuffer lossPerSample) =>
        CpuLosses.Forward(kind, Data(prediction), Data(target), rows, cols, Data(lossPerSample));

    public void LossBackward(LossKind kind, DeviceBuffer prediction, DeviceBuffer target, int rows, int cols, float scale, DeviceBuffer dPrediction) =>
        CpuLosses.Backward(kind, Data(prediction), Data(target), rows, cols, scale, Data(dPrediction));

    public void AccumulateSum(DeviceBuffer values, int length, int index, DeviceBuffer accumulator) =>
        Data(accumulator)[index] += CpuReductions.Sum(Data(values).AsSpan(0, length));

    public void AccumulateCorrect(DeviceBuffer prediction, DeviceBuffer target, int rows, int cols, int index, DeviceBuffer accumulator) =>
        Data(accumulator)[index] += CpuReductions.CountCorrect(Data(prediction), Data(target), rows, cols);

    public void SgdUpdate(DeviceBuffer gradient, int length, float learningRate, float momentum, bool nesterov, DeviceBuffer parameter, DeviceBuffer? velocity)
    {
        float[] g = Data(gradient), w = Data(parameter);
        float[]? v = velocity is null ? null : Data(velocity);
        ForChunks(length, (start, count) =>
            CpuOptimizers.Sgd(g.AsSpan(start, count), learningRate, momentum, nesterov, w.AsSpan(start, count), v is null ? default : v.AsSpan(start, count)));
    }

    public void AdagradUpdate(DeviceBuffer gradient, int length, float learningRate, float epsilon, DeviceBuffer parameter, DeviceBuffer accumulator)
    {
        float[] g = Data(gradient), w = Data(parameter), a = Data(accumulator);
        ForChunks(length, (start, count) =>
            CpuOptimizers.Adagrad(g.AsSpan(start, count), learningRate, epsilon, w.AsSpan(start, count), a.AsSpan(start, count)));
    }

    public void AdadeltaUpdate(DeviceBuffer gradient, int length, float learningRate, float rho, float epsilon, DeviceBuffer parameter, DeviceBuffer accumulator, DeviceBuffer deltaAccumulator)
    {
        float[] g = Data(gradient), w = Data(parameter), a = Data(accumulator), d = Data(deltaAccumulator);
        ForChunks(length, (start, count) =>
            CpuOptimizers.Adadelta(g.AsSpan(start, count), learningRate, rho, epsilon, w.AsSpan(start, count), a.AsSpan(start, count), d.AsSpan(start, count)));
    }

    public void RmspropUpdate(DeviceBuffer gradient, int length, float learningRate, float rho, float epsilon, DeviceBuffer parameter, DeviceBuffer accumulator)
    {
        float[] g = Data(gradient), w = Data(parameter), a = Data(accumulator);
        ForChunks(length, (start, count) =>
            CpuOptimizers.Rmsprop(g.AsSpan(start, count), learningRate, rho, epsilon, w.AsSpan(start, count), a.AsSpan(start, count)));
    }

    public void AdamUpdate(DeviceBuffer gradient, int length, float correctedLearningRate, float beta1, float beta2, float epsilon, DeviceBuffer parameter, DeviceBuffer firstMoment, DeviceBuffer secondMoment)
    {
        float[] g = Data(gradient), w = Data(parameter), m = Data(firstMoment), v = Data(secondMoment);
        ForChunks(length, (start, count) => CpuOptimizers.Adam(g.AsSpan(start, count), correctedLearningRate, beta1, beta2, epsilon,
            w.AsSpan(start, count), m.AsSpan(start, count), v.AsSpan(start, count)));
    }

    public void AdamaxUpdate(DeviceBuffer gradient, int length, float correctedLearningRate, float beta1, float beta2, float epsilon, DeviceBuffer parameter, DeviceBuffer firstMoment, DeviceBuffer infinityNorm)
    {
        float[] g = Data(gradient), w = Data(parameter), m = Data(firstMoment), u = Data(infinityNorm);
        ForChunks(length, (start, count) => CpuOptimizers.Adamax(g.AsSpan(start, count), correctedLearningRate, beta1, beta2, epsilon,
            w.AsSpan(start, count), m.AsSpan(start, count), u.AsSpan(start, count)));
    }

    public void NadamUpdate(DeviceBuffer gradient, int length, in NadamScalars scalars, DeviceBuffer parameter, DeviceBuffer firstMoment, DeviceBuffer secondMoment)
    {
        float[] g = Data(gradient), w = Data(parameter), m = Data(firstMoment), v = Data(secondMoment);
        NadamScalars s = scalars;
        ForChunks(length, (start, count) => CpuOptimizers.Nadam(g.AsSpan(start, count), s, w.AsSpan(start, count), m.AsSpan(start, count), v.AsSpan(start, count)));
    }

    public void AccumulatePenalty(DeviceBuffer parameter, int length, float l1, float l2, float scale, int index, DeviceBuffer accumulator) =>
        Data(accumulator)[index] += (float)(scale * CpuOptimizers.Penalty(Data(parameter).AsSpan(0, length), l1, l2));

    public void PenaltyGradient(DeviceBuffer parameter, int length, float l1, float l2, DeviceBuffer gradient)
    {
        float[] w = Data(parameter), g = Data(gradient);
        ForChunks(length, (start, count) => CpuOptimizers.PenaltyGradient(w.AsSpan(start, count), l1, l2, g.AsSpan(start, count)));
    }

    public void Dispose() { }

    private static float[] Data(DeviceBuffer buffer) => buffer is CpuBuffer cpu
        ? cpu.Data
        : throw new ArgumentException($"A {buffer.GetType().Name} was passed to the CPU accelerator; buffers belong to the accelerator that allocated them.");

    // Elementwise work: one chunk per thread, each a contiguous range.
    private static void ForChunks(int length, Action<int, int> body)
    {
        const int chunk = 1 << 14;
        int chunks = (length + chunk - 1) / chunk;
        CpuParallel.For(chunks, chunk, (first, last) =>
        {
            int start = first * chunk;
            body(start, Math.Min(length, last * chunk) - start);
        });
    }

    // ── Convolutional networks: convolution by im2col + GEMM, pooling, dropout, batch normalization, PReLU ──

    public void Im2Col(DeviceBuffer x, Window2D window, DeviceBuffer col) => CpuConvolution.Im2Col(Data(x), window, Data(col));

    public void Col2Im(DeviceBuffer dCol, Window2D window, DeviceBuffer dx) => CpuConvolution.Col2Im(Data(dCol), window, Data(dx));

    public void SwapLeadingAxes(DeviceBuffer x, int a, int b, int inner, DeviceBuffer y) =>
        CpuConvolution.SwapLeadingAxes(Data(x), a, b, inner, Data(y));

    public void AddChannelBias(DeviceBuffer bias, int batch, int channels, int spatial, DeviceBuffer y) =>
        CpuConvolution.AddChannelBias(Data(bias), batch, channels, spatial, Data(y));

    public void ChannelBiasGradient(DeviceBuffer dy, int batch, int channels, int spatial, DeviceBuffer dBias) =>
        CpuConvolution.ChannelBiasGradient(Data(dy), batch, channels, spatial, Data(dBias));

    public void MaxPoolForward(DeviceBuffer x, Window2D window, DeviceBuffer y, DeviceBuffer argmax) =>
        CpuPooling.MaxForward(Data(x), window, Data(y), Data(argmax));

    public void MaxPoolBackward(DeviceBuffer dy, DeviceBuffer argmax, Window2D window, DeviceBuffer dx) =>
        CpuPooling.MaxBackward(Data(dy), Data(argmax), window, Data(dx));

    public void AveragePoolForward(DeviceBuffer x, Window2D window, DeviceBuffer y) => CpuPooling.AverageForward(Data(x), window, Data(y));

    public void AveragePoolBackward(DeviceBuffer dy, Window2D window, DeviceBuffer dx) => CpuPooling.AverageBackward(Data(dy), window, Data(dx));

    public void L2PoolForward(DeviceBuffer x, Window2D window, DeviceBuffer y) => CpuPooling.L2Forward(Data(x), window, Data(y));

    public void L2PoolBackward(DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, Window2D window, DeviceBuffer dx) =>
        CpuPooling.L2Backward(Data(x), Data(y), Data(dy), window, Data(dx));

    public void DropoutForward(DeviceBuffer x, int length, float rate, ulong seed, ulong stream, DeviceBuffer y, DeviceBuffer mask) =>
        CpuDropout.Forward(Data(x), length, rate, seed, stream, Data(y), Data(mask));

    public void DropoutBackward(DeviceBuffer dy, DeviceBuffer mask, int length, DeviceBuffer dx) =>
        CpuDropout.Backward(Data(dy), Data(mask), length, Data(dx));

    public void BatchNormForwardTraining(DeviceBuffer x, DeviceBuffer? gamma, DeviceBuffer? beta, int batch, int channels, int spatial,
        float momentum, float epsilon, DeviceBuffer y, DeviceBuffer saved, DeviceBuffer movingMean, DeviceBuffer movingVariance) =>
        CpuBatchNorm.ForwardTraining(Data(x), OptionalData(gamma), OptionalData(beta), batch, channels, spatial, momentum, epsilon,
            Data(y), Data(saved), Data(movingMean), Data(movingVariance));

    public void BatchNormForwardInference(DeviceBuffer x, DeviceBuffer? gamma, DeviceBuffer? beta, DeviceBuffer movingMean, DeviceBuffer movingVariance,
        int batch, int channels, int spatial, float epsilon, DeviceBuffer y) =>
        CpuBatchNorm.ForwardInference(Data(x), OptionalData(gamma), OptionalData(beta), Data(movingMean), Data(movingVariance),
            batch, channels, spatial, epsilon, Data(y));

    public void BatchNormBackward(DeviceBuffer x, DeviceBuffer? gamma, DeviceBuffer saved, DeviceBuffer dy, int batch, int channels, int spatial,
        DeviceBuffer? dx, DeviceBuffer? dGamma, DeviceBuffer? dBeta) =>
        CpuBatchNorm.Backward(Data(x), OptionalData(gamma), Data(saved), Data(dy), batch, channels, spatial,
            OptionalData(dx), OptionalData(dGamma), OptionalData(dBeta));

    public void PReluForward(DeviceBuffer x, DeviceBuffer alpha, int batch, int units, DeviceBuffer y) =>
        CpuPRelu.Forward(Data(x), Data(alpha), batch, units, Data(y));

    public void PReluBackward(DeviceBuffer x, DeviceBuffer alpha, DeviceBuffer dy, int batch, int units, DeviceBuffer? dx, DeviceBuffer dAlpha) =>
        CpuPRelu.Backward(Data(x), Data(alpha), Data(dy), batch, units, OptionalData(dx), Data(dAlpha));

    private static float[]? OptionalData(DeviceBuffer? buffer) => buffer is null ? null : Data(buffer);
}
