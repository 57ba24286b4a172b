namespace GpuNet.Accelerators.Cuda;

/// <summary>
/// The accelerator that runs every kernel on an NVIDIA GPU through the CUDA driver API: kernels
/// from kernels/*.cu, compiled to PTX and embedded in this assembly, loaded once at start-up and
/// launched on one stream. Only <see cref="Download"/> and <see cref="Synchronize"/> wait for the GPU.
/// </summary>
/// <remarks>
/// Grid and block sizes are computed here on the host, and every launch checks its shape
/// contract (buffer lengths) first, since a kernel reading past a buffer fails far from the cause.
/// </remarks>
public sealed unsafe class CudaAccelerator : IAccelerator
{
    /// <summary>Threads per block of the elementwise kernels.</summary>
    private const int BlockSize = 256;

    /// <summary>Grid-stride kernels need no more blocks than this to fill any current GPU.</summary>
    private const int MaxBlocks = 8192;

    /// <summary>Must equal GPUNET_REDUCE_THREADS in kernels/gpunet_device.h.</summary>
    private const int ReduceThreads = 256;

    /// <summary>Must equal the 64×64 tile and 256 threads of kernels/gemm.cu.</summary>
    private const int GemmTile = 64, GemmThreads = 256;

    private readonly CudaDriver _driver;
    private readonly CudaContextHandle _context;
    private readonly nint _stream;
    private readonly CudaKernels _kernels;
    private readonly CudaMemoryPool _pool;
    private bool _disposed;

    [ThreadStatic] private static nint _currentContext;

    /// <param name="driverLibrary">
    /// The driver library: null for GPUNET_CUDA_LIBRARY or else libcuda.so.1; tests pass the host emulator.
    /// </param>
    /// <param name="deviceOrdinal">Which CUDA device.</param>
    public CudaAccelerator(string? driverLibrary = null, int deviceOrdinal = 0)
    {
        _driver = CudaDriver.Load(driverLibrary);
        int count = _driver.DeviceCount();
        if (deviceOrdinal < 0 || deviceOrdinal >= count)
            throw new GpuNetException($"CUDA device {deviceOrdinal} was asked for, but the driver ({_driver.Library}) reports {count} device(s).");
        int device = _driver.Device(deviceOrdinal);
        DeviceName = _driver.DeviceName(device);
        _context = _driver.CreateContext(device);
        _currentContext = _context.DangerousGetHandle();
        _stream = _driver.CreateStream();
        _kernels = new CudaKernels(_driver);
        _pool = new CudaMemoryPool(_driver, this);
    }

    public string Name => "cuda";

    /// <summary>The device's name as the driver reports it.</summary>
    public string DeviceName { get; }

    /// <summary>The driver library in use.</summary>
    public string DriverLibrary => _driver.Library;

    /// <summary>cuMemAlloc calls so far; a training step adds none once the plan is allocated.</summary>
    public int DriverAllocations => _pool.DriverAllocations;

    public DeviceBuffer Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        MakeCurrent();
        var buffer = new CudaBuffer(_pool, _pool.Rent(length), length);
        if (length > 0) _driver.Fill(buffer.Pointer, 0, length, _stream);
        return buffer;
    }

    public void Upload(ReadOnlySpan<float> source, DeviceBuffer destination)
    {
        CudaBuffer target = Buffer(destination);
        Require(target, source.Length, nameof(destination));
        if (source.IsEmpty) return;
        MakeCurrent();
        _driver.CopyToDevice(target.Pointer, source, _stream);
        // The copy reads pageable host memory the caller may reuse at once: wait for it.
        _driver.SynchronizeStream(_stream);
    }

    public void Download(DeviceBuffer source, Span<float> destination)
    {
        CudaBuffer from = Buffer(source);
        Require(from, destination.Length, nameof(source));
        MakeCurrent();
        if (!destination.IsEmpty) _driver.CopyToHost(destination, from.Pointer, _stream);
        _driver.SynchronizeStream(_stream);
    }

    public void Fill(float value, int length, DeviceBuffer buffer)
    {
        CudaBuffer target = Buffer(buffer);
        Require(target, length, nameof(buffer));
        if (length == 0) return;
        MakeCurrent();
        _driver.Fill(target.Pointer, BitConverter.SingleToUInt32Bits(value), length, _stream);
    }

    public void Synchronize()
    {
        MakeCurrent();
        _driver.SynchronizeStream(_stream);
    }

    public void Gemm(bool transposeA, bool transposeB, DeviceBuffer a, DeviceBuffer b, int m, int n, int k, float alpha, float beta, DeviceBuffer c)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException($"GEMM sizes must not be negative: m = {m}, n = {n}, k = {k}.");
        Require(a, (long)m * k, nameof(a));
        Require(b, (long)k * n, nameof(b));
        Require(c, (long)m * n, nameof(c));
        if (m == 0 || n == 0) return;
        LaunchBlocks(_kernels.Gemm, Blocks(n, GemmTile), Blocks(m, GemmTile), GemmThreads, 0,
            KernelArgument.Of(transposeA), KernelArgument.Of(transposeB), Arg(a), Arg(b),
            KernelArgument.Of(m), KernelArgument.Of(n), KernelArgument.Of(k), KernelArgument.Of(alpha), KernelArgument.Of(beta), Arg(c));
    }

    public void Add(DeviceBuffer a, DeviceBuffer b, int length, DeviceBuffer y)
    {
        RequireAll(length, (a, nameof(a)), (b, nameof(b)), (y, nameof(y)));
        LaunchElementwise(_kernels.Add, length, Arg(a), Arg(b), KernelArgument.Of(length), Arg(y));
    }

    public void AddBias(DeviceBuffer bias, int rows, int cols, DeviceBuffer x)
    {
        Require(bias, cols, nameof(bias));
        Require(x, (long)rows * cols, nameof(x));
        LaunchElementwise(_kernels.AddBias, (long)rows * cols, Arg(bias), KernelArgument.Of(rows), KernelArgument.Of(cols), Arg(x));
    }

    public void BiasGradient(DeviceBuffer dy, int rows, int cols, DeviceBuffer dBias)
    {
        Require(dy, (long)rows * cols, nameof(dy));
        Require(dBias, cols, nameof(dBias));
        LaunchElementwise(_kernels.BiasGradient, cols, Arg(dy), KernelArgument.Of(rows), KernelArgument.Of(cols), Arg(dBias));
    }

    public void ActivationForward(ActivationKind kind, float alpha, DeviceBuffer x, int length, DeviceBuffer y)
    {
        RequireAll(length, (x, nameof(x)), (y, nameof(y)));
        LaunchElementwise(_kernels.ActivationForward, length, KernelArgument.Of(Kind(kind)), KernelArgument.Of(alpha), Arg(x), KernelArgument.Of(length), Arg(y));
    }

    public void ActivationBackward(ActivationKind kind, float alpha, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, int length, DeviceBuffer dx)
    {
        RequireAll(length, (x, nameof(x)), (y, nameof(y)), (dy, nameof(dy)), (dx, nameof(dx)));
        LaunchElementwise(_kernels.ActivationBackward, length, KernelArgument.Of(Kind(kind)), KernelArgument.Of(alpha),
            Arg(x), Arg(y), Arg(dy), KernelArgument.Of(length), Arg(dx));
    }

    public void SoftmaxForward(DeviceBuffer x, int rows, int cols, DeviceBuffer y)
    {
        RequireAll((long)rows * cols, (x, nameof(x)), (y, nameof(y)));
        LaunchElementwise(_kernels.SoftmaxForward, rows, Arg(x), KernelArgument.Of(rows), KernelArgument.Of(cols), Arg(y));
    }

    public void SoftmaxBackward(DeviceBuffer y, DeviceBuffer dy, int rows, int cols, DeviceBuffer dx)
    {
        RequireAll((long)rows * cols, (y, nameof(y)), (dy, nameof(dy)), (dx, nameof(dx)));
        LaunchElementwise(_kernels.SoftmaxBackward, rows, Arg(y), Arg(dy), KernelArgument.Of(rows), KernelArgument.Of(cols), Arg(dx));
    }

    public void LossForward(LossKind kind, DeviceBuffer prediction, DeviceBuffer target, int rows, int cols, DeviceBuffer lossPerSample)
    {
        RequireAll((long)rows * cols, (prediction, nameof(prediction)), (target, nameof(target)));
        Require(lossPerSample, rows, nameof(lossPerSample));
        LaunchElementwise(_kernels.LossForward, rows, KernelArgument.Of(Kind(kind)), Arg(prediction), Arg(target),
            KernelArgument.Of(rows), KernelArgument.Of(cols), Arg(lossPerSample));
    }

    public void LossBackward(LossKind kind, DeviceBuffer prediction, DeviceBuffer target, int rows, int cols, float scale, DeviceBuffer dPrediction)
    {
        RequireAll((long)rows * cols, (prediction, nameof(prediction)), (target, nameof(target)), (dPrediction, nameof(dPrediction)));
        LaunchElementwise(_kernels.LossBackward, rows, KernelArgument.Of(Kind(kind)), Arg(prediction), Arg(target),
            KernelArgument.Of(rows), KernelArgument.Of(cols), KernelArgument.Of(scale), Arg(dPrediction));
    }

    public void AccumulateSum(DeviceBuffer values, int length, int index, DeviceBuffer accumulator)
    {
        Require(values, length, nameof(values));
        RequireIndex(accumulator, index);
        LaunchBlocks(_kernels.AccumulateSum, 1, 1, ReduceThreads, ReduceThreads * sizeof(double),
            Arg(values), KernelArgument.Of(length), KernelArgument.Of(index), Arg(accumulator));
    }

    public void AccumulateCorrect(DeviceBuffer prediction, DeviceBuffer target, int rows, int cols, int index, DeviceBuffer accumulator)
    {
        RequireAll((long)rows * cols, (prediction, nameof(prediction)), (target, nameof(target)));
        RequireIndex(accumulator, index);
        LaunchBlocks(_kernels.AccumulateCorrect, 1, 1, ReduceThreads, ReduceThreads * sizeof(double),
            Arg(prediction), Arg(target), KernelArgument.Of(rows), KernelArgument.Of(cols), KernelArgument.Of(index), Arg(accumulator));
    }

    public void SgdUpdate(DeviceBuffer gradient, int length, float learningRate, float momentum, bool nesterov, DeviceBuffer parameter, DeviceBuffer? velocity)
    {
        RequireAll(length, (gradient, nameof(gradient)), (parameter, nameof(parameter)));
        if (velocity is not null) Require(velocity, length, nameof(velocity));
        LaunchElementwise(_kernels.SgdUpdate, length, Arg(gradient), KernelArgument.Of(length), KernelArgument.Of(learningRate),
            KernelArgument.Of(momentum), KernelArgument.Of(nesterov), Arg(parameter), OptionalArg(velocity));
    }

    public void AdagradUpdate(DeviceBuffer gradient, int length, float learningRate, float epsilon, DeviceBuffer parameter, DeviceBuffer accumulator)
    {
        RequireAll(length, (gradient, nameof(gradient)), (parameter, nameof(parameter)), (accumulator, nameof(accumulator)));
        LaunchElementwise(_kernels.AdagradUpdate, length, Arg(gradient), KernelArgument.Of(length), KernelArgument.Of(learningRate),
            KernelArgument.Of(epsilon), Arg(parameter), Arg(accumulator));
    }

    public void AdadeltaUpdate(DeviceBuffer gradient, int length, float learningRate, float rho, float epsilon, DeviceBuffer parameter, DeviceBuffer accumulator, DeviceBuffer deltaAccumulator)
    {
        RequireAll(length, (gradient, nameof(gradient)), (parameter, nameof(parameter)), (accumulator, nameof(accumulator)), (deltaAccumulator, nameof(deltaAccumulator)));
        LaunchElementwise(_kernels.AdadeltaUpdate, length, Arg(gradient), KernelArgument.Of(length), KernelArgument.Of(learningRate),
            KernelArgument.Of(rho), KernelArgument.Of(epsilon), Arg(parameter), Arg(accumulator), Arg(deltaAccumulator));
    }

    public void RmspropUpdate(DeviceBuffer gradient, int length, float learningRate, float rho, float epsilon, DeviceBuffer parameter, DeviceBuffer accumulator)
    {
        RequireAll(length, (gradient, nameof(gradient)), (parameter, nameof(parameter)), (accumulator, nameof(accumulator)));
        LaunchElementwise(_kernels.RmspropUpdate, length, Arg(gradient), KernelArgument.Of(length), KernelArgument.Of(learningRate),
            KernelArgument.Of(rho), KernelArgument.Of(epsilon), Arg(parameter), Arg(accumulator));
    }

    public void AdamUpdate(DeviceBuffer gradient, int length, float correctedLearningRate, float beta1, float beta2, float epsilon, DeviceBuffer parameter, DeviceBuffer firstMoment, DeviceBuffer secondMoment)
    {
        RequireAll(length, (gradient, nameof(gradient)), (parameter, nameof(parameter)), (firstMoment, nameof(firstMoment)), (secondMoment, nameof(secondMoment)));
        LaunchElementwise(_kernels.AdamUpdate, length, Arg(gradient), KernelArgument.Of(length), KernelArgument.Of(correctedLearningRate),
            KernelArgument.Of(beta1), KernelArgument.Of(beta2), KernelArgument.Of(epsilon), Arg(parameter), Arg(firstMoment), Arg(secondMoment));
    }

    public void AdamaxUpdate(DeviceBuffer gradient, int length, float correctedLearningRate, float beta1, float beta2, float epsilon, DeviceBuffer parameter, DeviceBuffer firstMoment, DeviceBuffer infinityNorm)
    {
        RequireAll(length, (gradient, nameof(gradient)), (parameter, nameof(parameter)), (firstMoment, nameof(firstMoment)), (infinityNorm, nameof(infinityNorm)));
        LaunchElementwise(_kernels.AdamaxUpdate, length, Arg(gradient), KernelArgument.Of(length), KernelArgument.Of(correctedLearningRate),
            KernelArgument.Of(beta1), KernelArgument.Of(beta2), KernelArgument.Of(epsilon), Arg(parameter), Arg(firstMoment), Arg(infinityNorm));
    }

    public void NadamUpdate(DeviceBuffer gradient, int length, in NadamScalars scalars, DeviceBuffer parameter, DeviceBuffer firstMoment, DeviceBuffer secondMoment)
    {
        RequireAll(length, (gradient, nameof(gradient)), (parameter, nameof(parameter)), (firstMoment, nameof(firstMoment)), (secondMoment, nameof(secondMoment)));
        LaunchElementwise(_kernels.NadamUpdate, length, Arg(gradient), KernelArgument.Of(length), KernelArgument.Of(scalars),
            Arg(parameter), Arg(firstMoment), Arg(secondMoment));
    }

    public void AccumulatePenalty(DeviceBuffer parameter, int length, float l1, float l2, float scale, int index, DeviceBuffer accumulator)
    {
        Require(parameter, length, nameof(parameter));
        RequireIndex(accumulator, index);
        LaunchBlocks(_kernels.AccumulatePenalty, 1, 1, ReduceThreads, ReduceThreads * sizeof(double), Arg(parameter), KernelArgument.Of(length),
            KernelArgument.Of(l1), KernelArgument.Of(l2), KernelArgument.Of(scale), KernelArgument.Of(index), Arg(accumulator));
    }

    public void PenaltyGradient(DeviceBuffer parameter, int length, float l1, float l2, DeviceBuffer gradient)
    {
        RequireAll(length, (parameter, nameof(parameter)), (gradient, nameof(gradient)));
        LaunchElementwise(_kernels.PenaltyGradient, length, Arg(parameter), KernelArgument.Of(length), KernelArgument.Of(l1), KernelArgument.Of(l2), Arg(gradient));
    }

    // The batched form: one im2col over the whole batch, one GEMM, one axis swap — few, large launches.
    public void Conv2DForward(DeviceBuffer x, DeviceBuffer kernel, DeviceBuffer? bias, Window2D window, int filters,
        DeviceBuffer col, DeviceBuffer filterMajor, DeviceBuffer y)
    {
        Im2Col(x, window, col);
        Gemm(false, false, kernel, col, filters, window.PatchCount, window.PatchSize, 1f, 0f, filterMajor);
        SwapLeadingAxes(filterMajor, filters, window.Batch, window.OutputPlane, y);
        if (bias is not null) AddChannelBias(bias, window.Batch, filters, window.OutputPlane, y);
    }

    /// <summary>Reuses the forward's col for dCol once dKernel no longer needs it.</summary>
    public void Conv2DBackward(DeviceBuffer x, DeviceBuffer kernel, DeviceBuffer dy, Window2D window, int filters,
        DeviceBuffer col, DeviceBuffer filterMajor, DeviceBuffer dKernel, DeviceBuffer? dBias, DeviceBuffer? dx, bool setDx)
    {
        if (dBias is not null) ChannelBiasGradient(dy, window.Batch, filters, window.OutputPlane, dBias);
        SwapLeadingAxes(dy, window.Batch, filters, window.OutputPlane, filterMajor);
        Gemm(false, true, filterMajor, col, filters, window.PatchSize, window.PatchCount, 1f, 1f, dKernel);
        if (dx is null) return;
        Gemm(true, false, kernel, filterMajor, window.PatchSize, window.PatchCount, filters, 1f, 0f, col);
        if (setDx) Fill(0f, window.InputLength, dx);
        Col2Im(col, window, dx);
    }

    public void Im2Col(DeviceBuffer x, Window2D window, DeviceBuffer col)
    {
        window.Validate();
        Require(x, window.InputLength, nameof(x));
        long length = (long)window.PatchSize * window.PatchCount;
        Require(col, length, nameof(col));
        LaunchElementwise(_kernels.Im2Col, length, Arg(x), KernelArgument.Of(window), Arg(col));
    }

    public void Col2Im(DeviceBuffer dCol, Window2D window, DeviceBuffer dx)
    {
        window.Validate();
        Require(dCol, (long)window.PatchSize * window.PatchCount, nameof(dCol));
        Require(dx, window.InputLength, nameof(dx));
        LaunchElementwise(_kernels.Col2Im, window.InputLength, Arg(dCol), KernelArgument.Of(window), Arg(dx));
    }

    public void SwapLeadingAxes(DeviceBuffer x, int a, int b, int inner, DeviceBuffer y)
    {
        long length = (long)a * b * inner;
        RequireAll(length, (x, nameof(x)), (y, nameof(y)));
        LaunchElementwise(_kernels.SwapLeadingAxes, length, Arg(x), KernelArgument.Of(a), KernelArgument.Of(b), KernelArgument.Of(inner), Arg(y));
    }

    public void AddChannelBias(DeviceBuffer bias, int batch, int channels, int spatial, DeviceBuffer y)
    {
        Require(bias, channels, nameof(bias));
        long length = (long)batch * channels * spatial;
        Require(y, length, nameof(y));
        LaunchElementwise(_kernels.AddChannelBias, length, Arg(bias), KernelArgument.Of(batch), KernelArgument.Of(channels), KernelArgument.Of(spatial), Arg(y));
    }

    public void ChannelBiasGradient(DeviceBuffer dy, int batch, int channels, int spatial, DeviceBuffer dBias)
    {
        Require(dy, (long)batch * channels * spatial, nameof(dy));
        Require(dBias, channels, nameof(dBias));
        if (channels == 0) return;
        LaunchBlocks(_kernels.ChannelBiasGradient, (uint)channels, 1, ReduceThreads, ReduceThreads * sizeof(double),
            Arg(dy), KernelArgument.Of(batch), KernelArgument.Of(channels), KernelArgument.Of(spatial), Arg(dBias));
    }

    public void MaxPoolForward(DeviceBuffer x, Window2D window, DeviceBuffer y, DeviceBuffer argmax)
    {
        long outputs = CheckPooling(x, window, y);
        Require(argmax, outputs, nameof(argmax));
        LaunchElementwise(_kernels.MaxPoolForward, outputs, Arg(x), KernelArgument.Of(window), Arg(y), Arg(argmax));
    }

    public void MaxPoolBackward(DeviceBuffer dy, DeviceBuffer argmax, Window2D window, DeviceBuffer dx)
    {
        long outputs = CheckPooling(dx, window, dy);
        Require(argmax, outputs, nameof(argmax));
        LaunchElementwise(_kernels.MaxPoolBackward, (long)window.Batch * window.Channels, Arg(dy), Arg(argmax), KernelArgument.Of(window), Arg(dx));
    }

    public void AveragePoolForward(DeviceBuffer x, Window2D window, DeviceBuffer y)
    {
        long outputs = CheckPooling(x, window, y);
        LaunchElementwise(_kernels.AveragePoolForward, outputs, Arg(x), KernelArgument.Of(window), Arg(y));
    }

    public void AveragePoolBackward(DeviceBuffer dy, Window2D window, DeviceBuffer dx)
    {
        CheckPooling(dx, window, dy);
        LaunchElementwise(_kernels.AveragePoolBackward, (long)window.Batch * window.Channels, Arg(dy), KernelArgument.Of(window), Arg(dx));
    }

    public void L2PoolForward(DeviceBuffer x, Window2D window, DeviceBuffer y)
    {
        long outputs = CheckPooling(x, window, y);
        LaunchElementwise(_kernels.L2PoolForward, outputs, Arg(x), KernelArgument.Of(window), Arg(y));
    }

    public void L2PoolBackward(DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, Window2D window, DeviceBuffer dx)
    {
        CheckPooling(x, window, y);
        CheckPooling(dx, window, dy);
        LaunchElementwise(_kernels.L2PoolBackward, (long)window.Batch * window.Channels, Arg(x), Arg(y), Arg(dy), KernelArgument.Of(window), Arg(dx));
    }

    public void DropoutForward(DeviceBuffer x, int length, float rate, ulong seed, ulong stream, DeviceBuffer y, DeviceBuffer mask)
    {
        if (!(rate >= 0f && rate < 1f)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
        RequireAll(length, (x, nameof(x)), (y, nameof(y)), (mask, nameof(mask)));
        float scale = 1f / (1f - rate);
        // A thread per Philox block of four elements.
        LaunchElementwise(_kernels.DropoutForward, ((long)length + 3) / 4, Arg(x), KernelArgument.Of(length), KernelArgument.Of(rate), KernelArgument.Of(scale),
            KernelArgument.Of(seed), KernelArgument.Of(stream), Arg(y), Arg(mask));
    }

    public void DropoutBackward(DeviceBuffer dy, DeviceBuffer mask, int length, DeviceBuffer dx)
    {
        RequireAll(length, (dy, nameof(dy)), (mask, nameof(mask)), (dx, nameof(dx)));
        LaunchElementwise(_kernels.DropoutBackward, length, Arg(dy), Arg(mask), KernelArgument.Of(length), Arg(dx));
    }

    public void BatchNormForwardTraining(DeviceBuffer x, DeviceBuffer? gamma, DeviceBuffer? beta, int batch, int channels, int spatial,
        float momentum, float epsilon, DeviceBuffer y, DeviceBuffer saved, DeviceBuffer movingMean, DeviceBuffer movingVariance)
    {
        RequireAll((long)batch * channels * spatial, (x, nameof(x)), (y, nameof(y)));
        RequireChannels(channels, (gamma, nameof(gamma)), (beta, nameof(beta)), (movingMean, nameof(movingMean)), (movingVariance, nameof(movingVariance)));
        Require(saved, 2L * channels, nameof(saved));
        if (channels == 0) return;
        LaunchBlocks(_kernels.BatchNormForwardTraining, (uint)channels, 1, ReduceThreads, ReduceThreads * sizeof(double),
            Arg(x), OptionalArg(gamma), OptionalArg(beta), KernelArgument.Of(batch), KernelArgument.Of(channels), KernelArgument.Of(spatial),
            KernelArgument.Of(momentum), KernelArgument.Of(epsilon), Arg(y), Arg(saved), Arg(movingMean), Arg(movingVariance));
    }

    public void BatchNormForwardInference(DeviceBuffer x, DeviceBuffer? gamma, DeviceBuffer? beta, DeviceBuffer movingMean, DeviceBuffer movingVariance,
        int batch, int channels, int spatial, float epsilon, DeviceBuffer y)
    {
        long length = (long)batch * channels * spatial;
        RequireAll(length, (x, nameof(x)), (y, nameof(y)));
        RequireChannels(channels, (gamma, nameof(gamma)), (beta, nameof(beta)), (movingMean, nameof(movingMean)), (movingVariance, nameof(movingVariance)));
        LaunchElementwise(_kernels.BatchNormForwardInference, length, Arg(x), OptionalArg(gamma), OptionalArg(beta), Arg(movingMean), Arg(movingVariance),
            KernelArgument.Of(batch), KernelArgument.Of(channels), KernelArgument.Of(spatial), KernelArgument.Of(epsilon), Arg(y));
    }

    public void BatchNormBackward(DeviceBuffer x, DeviceBuffer? gamma, DeviceBuffer saved, DeviceBuffer dy, int batch, int channels, int spatial,
        DeviceBuffer? dx, DeviceBuffer? dGamma, DeviceBuffer? dBeta)
    {
        long length = (long)batch * channels * spatial;
        RequireAll(length, (x, nameof(x)), (dy, nameof(dy)));
        if (dx is not null) Require(dx, length, nameof(dx));
        RequireChannels(channels, (gamma, nameof(gamma)), (dGamma, nameof(dGamma)), (dBeta, nameof(dBeta)));
        Require(saved, 2L * channels, nameof(saved));
        if (channels == 0) return;
        LaunchBlocks(_kernels.BatchNormBackward, (uint)channels, 1, ReduceThreads, ReduceThreads * sizeof(double),
            Arg(x), OptionalArg(gamma), Arg(saved), Arg(dy), KernelArgument.Of(batch), KernelArgument.Of(channels), KernelArgument.Of(spatial),
            OptionalArg(dx), OptionalArg(dGamma), OptionalArg(dBeta));
    }

    public void PReluForward(DeviceBuffer x, DeviceBuffer alpha, int batch, int units, DeviceBuffer y)
    {
        RequireAll((long)batch * units, (x, nameof(x)), (y, nameof(y)));
        Require(alpha, units, nameof(alpha));
        LaunchElementwise(_kernels.PReluForward, (long)batch * units, Arg(x), Arg(alpha), KernelArgument.Of(batch), KernelArgument.Of(units), Arg(y));
    }

    public void PReluBackward(DeviceBuffer x, DeviceBuffer alpha, DeviceBuffer dy, int batch, int units, DeviceBuffer? dx, DeviceBuffer dAlpha)
    {
        RequireAll((long)batch * units, (x, nameof(x)), (dy, nameof(dy)));
        if (dx is not null) Require(dx, (long)batch * units, nameof(dx));
        RequireAll(units, (alpha, nameof(alpha)), (dAlpha, nameof(dAlpha)));
        LaunchElementwise(_kernels.PReluBackward, units, Arg(x), Arg(alpha), Arg(dy), KernelArgument.Of(batch), KernelArgument.Of(units),
            OptionalArg(dx), Arg(dAlpha));
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        MakeCurrent();
        _driver.SynchronizeStream(_stream);
        _pool.Release();
        _driver.DestroyStream(_stream);
        if (_currentContext == _context.DangerousGetHandle()) _currentContext = 0;
        _context.Dispose();
    }

    // ── Launching ──

    /// <summary>A grid-stride kernel over <paramref name="workItems"/> items: 256 threads a block, at most 8192 blocks.</summary>
    private void LaunchElementwise(in CudaKernel kernel, long workItems, params ReadOnlySpan<KernelArgument> arguments)
    {
        if (workItems <= 0) return;
        uint blocks = (uint)Math.Min(MaxBlocks, (workItems + BlockSize - 1) / BlockSize);
        LaunchBlocks(kernel, blocks, 1, BlockSize, 0, arguments);
    }

    private void LaunchBlocks(in CudaKernel kernel, uint gridX, uint gridY, uint blockX, uint sharedBytes, params ReadOnlySpan<KernelArgument> arguments)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        MakeCurrent();
        void** pointers = stackalloc void*[arguments.Length];
        fixed (KernelArgument* values = arguments)
        {
            for (int i = 0; i < arguments.Length; i++) pointers[i] = values + i;
            _driver.Launch(kernel.Function, gridX, gridY, blockX, sharedBytes, _stream, pointers, kernel.Name);
        }
    }

    private static uint Blocks(int items, int perBlock) => (uint)((items + perBlock - 1) / perBlock);

    /// <summary>The driver binds a context to the calling thread; a call from another thread rebinds ours first.</summary>
    private void MakeCurrent()
    {
        nint context = _context.DangerousGetHandle();
        if (_currentContext == context) return;
        _driver.SetCurrentContext(context);
        _currentContext = context;
    }

    private static int Kind(ActivationKind kind) => kind is >= ActivationKind.Linear and <= ActivationKind.LeakyRelu
        ? (int)kind
        : throw new ArgumentOutOfRangeException(nameof(kind), kind, null);

    private static int Kind(LossKind kind) => kind is >= LossKind.MeanSquaredError and <= LossKind.SoftmaxCrossEntropy
        ? (int)kind
        : throw new ArgumentOutOfRangeException(nameof(kind), kind, null);

    // ── Shape contracts ──

    private CudaBuffer Buffer(DeviceBuffer buffer) =>
        buffer is CudaBuffer cuda && ReferenceEquals(cuda.Owner, this)
            ? cuda
            : throw new ArgumentException($"A {buffer.GetType().Name} from another accelerator was passed to the CUDA accelerator; buffers belong to the accelerator that allocated them.");

    private KernelArgument Arg(DeviceBuffer buffer) => KernelArgument.Of(Buffer(buffer));

    private KernelArgument OptionalArg(DeviceBuffer? buffer) => KernelArgument.Of(buffer is null ? null : Buffer(buffer));

    private void Require(DeviceBuffer buffer, long needed, string name)
    {
        if (needed < 0) throw new ArgumentException($"{name}: a negative size ({needed}) was asked for.", name);
        if (Buffer(buffer).Length < needed)
            throw new ArgumentException($"{name} holds {buffer.Length} floats; the kernel needs {needed}.", name);
    }

    private void RequireAll(long needed, params ReadOnlySpan<(DeviceBuffer Buffer, string Name)> buffers)
    {
        foreach (var (buffer, name) in buffers) Require(buffer, needed, name);
    }

    private void RequireChannels(int channels, params ReadOnlySpan<(DeviceBuffer? Buffer, string Name)> buffers)
    {
        foreach (var (buffer, name) in buffers)
            if (buffer is not null) Require(buffer, channels, name);
    }

    private void RequireIndex(DeviceBuffer accumulator, int index)
    {
        if (index < 0 || index >= Buffer(accumulator).Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The accumulator holds {accumulator.Length} floats.");
    }

    private long CheckPooling(DeviceBuffer input, Window2D window, DeviceBuffer output)
    {
        window.Validate();
        long outputs = (long)window.Batch * window.Channels * window.OutputPlane;
        Require(input, window.InputLength, "x");
        Require(output, outputs, "y");
        return outputs;
    }
}
