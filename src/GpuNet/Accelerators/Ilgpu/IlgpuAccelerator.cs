using GpuNet.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace GpuNet.Accelerators.Ilgpu;

/// <summary>
/// The host side of the ILGPU kernels in kernels/, on any ILGPU device: CUDA, OpenCL, or ILGPU's
/// CPU accelerator. Every kernel is compiled once per device (<see cref="IlgpuDevice"/>), memory
/// comes from a pool, and everything runs on the device's one stream: only <see cref="Download"/>
/// and <see cref="Synchronize"/> wait for it.
/// </summary>
/// <remarks>
/// Every call checks its shape contract (buffer lengths) before it launches anything, since a
/// kernel reading past a buffer fails far from the cause, if at all.
/// </remarks>
public sealed class IlgpuAccelerator : IAccelerator
{
    private readonly IlgpuDevice _device;
    private readonly IlgpuKernels _kernels;
    private readonly LaunchGeometry _geometry;
    private readonly IlgpuMemoryPool _pool;
    private readonly UploadStaging? _staging;
    // Stands in for a buffer the caller left out (gamma, dx, velocity …), so every kernel argument is a real view.
    private readonly IlgpuBuffer _placeholder;
    // The penalty's per-group partial sums, [2 · groups] doubles; this accelerator's own, so two on one device never
    // share it.
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _partials;
    private bool _disposed;

    /// <summary>An accelerator on the device of <paramref name="backend"/> ("cuda", "opencl" or "ilgpu-cpu").</summary>
    public IlgpuAccelerator(string backend) : this(IlgpuDevice.Open(backend))
    {
    }

    public IlgpuAccelerator(IlgpuDevice device)
    {
        _device = device;
        _kernels = device.Kernels;
        _geometry = device.Geometry;
        using var scope = device.Enter();
        _pool = new IlgpuMemoryPool(device.Accelerator, this);
        _staging = device.Accelerator.AcceleratorType == AcceleratorType.CPU ? null
            : new UploadStaging(device.Accelerator);
        _placeholder = new IlgpuBuffer(_pool, _pool.Rent(1), 1);
        _partials = device.Accelerator.Allocate1D<double>(2L * _geometry.PartialGroups);
    }

    /// <summary>The backend's name: "cuda", "opencl" or "ilgpu-cpu".</summary>
    public string Name => _device.Backend;

    public IlgpuDevice Device => _device;

    /// <summary>
    /// A read waits for the device's queue to drain; on ILGPU's CPU accelerator, where launches
    /// already wait, the same interval keeps that code path the one the tests run.
    /// </summary>
    public int StepsPerMetricsRead => 25;

    /// <summary>A GPU's own memory; ILGPU's CPU accelerator keeps its buffers in the host's.</summary>
    public long? DeviceMemoryBytes => _device.Accelerator.AcceleratorType == AcceleratorType.CPU ? null
        : _device.MemoryBytes;

    /// <summary>Device allocations so far; a training step adds none once the plan is allocated.</summary>
    public int DeviceAllocations => _pool.DeviceAllocations;

    public DeviceBuffer Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        using var scope = Enter();
        var buffer = new IlgpuBuffer(_pool, _pool.Rent(length), length);
        buffer.View.MemSetToZero(_device.Stream);
        return buffer;
    }

    public void Upload(ReadOnlySpan<float> source, DeviceBuffer destination)
    {
        ArrayView<float> target = Require(destination, source.Length, nameof(destination));
        if (source.IsEmpty) return;
        using var scope = Enter();
        if (_staging is not null)
        {
            _staging.Upload(source, target, _device.Stream);
            return;
        }
        unsafe
        {
            fixed (float* pinned = source)
                target.SubView(0, source.Length).CopyFromCPU(_device.Stream, ref *pinned, source.Length);
        }
    }

    public void Download(DeviceBuffer source, Span<float> destination)
    {
        ArrayView<float> from = Require(source, destination.Length, nameof(source));
        using var scope = Enter();
        if (destination.IsEmpty) _device.Stream.Synchronize();
        else
        {
            // Pinned: ILGPU takes the address of the first element as a raw pointer, and a garbage collection
            // started by another thread would otherwise move the array before the copy lands in it.
            unsafe
            {
                fixed (float* pinned = destination)
                    from.SubView(0, destination.Length).CopyToCPU(_device.Stream, ref *pinned, destination.Length);
            }
        }
        _staging?.Reclaim();
    }

    public void Fill(float value, int length, DeviceBuffer buffer)
    {
        ArrayView<float> target = Require(buffer, length, nameof(buffer));
        if (length == 0) return;
        using var scope = Enter();
        if (BitConverter.SingleToUInt32Bits(value) == 0) target.SubView(0, length).MemSetToZero(_device.Stream);
        else _kernels.Fill(_device.Stream, _geometry.Elementwise(length), target, length, value);
    }

    public void Synchronize()
    {
        using var scope = Enter();
        _device.Stream.Synchronize();
        _staging?.Reclaim();
    }

    public void Gemm(bool transposeA, bool transposeB, DeviceBuffer a, DeviceBuffer b, int m, int n, int k, float alpha,
        float beta, DeviceBuffer c)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"GEMM sizes must not be negative: m = {m}, n = {n}, k = {k}.");
        ArrayView<float> av = Require(a, (long)m * k, nameof(a)), bv = Require(b, (long)k * n, nameof(b));
        ArrayView<float> cv = Require(c, (long)m * n, nameof(c));
        if (m == 0 || n == 0) return;
        using var scope = Enter();
        if (_device.Blas is { } blas) blas.Gemm(transposeA, transposeB, av, bv, m, n, k, alpha, beta, cv);
        else _kernels.Gemm(_device.Stream, _geometry.Gemm(m, n),
            new GemmShape(Flag(transposeA), Flag(transposeB), m, n, k, alpha, beta), av, bv, cv);
    }

    public void Add(DeviceBuffer a, DeviceBuffer b, int length, DeviceBuffer y)
    {
        var (av, bv, yv) = (Require(a, length, nameof(a)), Require(b, length, nameof(b)),
            Require(y, length, nameof(y)));
        using var scope = Enter();
        _kernels.Add(_device.Stream, _geometry.Elementwise(length), av, bv, length, yv);
    }

    public void AddBias(DeviceBuffer bias, int rows, int cols, DeviceBuffer x)
    {
        var (biases, xv) = (Require(bias, cols, nameof(bias)), Require(x, (long)rows * cols, nameof(x)));
        using var scope = Enter();
        _kernels.AddBias(_device.Stream, _geometry.Elementwise((long)rows * cols), biases, rows, cols, xv);
    }

    /// <summary>The three kernels in turn, on the one stream.</summary>
    public void DenseBackward(DeviceBuffer x, DeviceBuffer kernel, DeviceBuffer dy, int batch, int inputs, int outputs,
        DenseGradients gradients) =>
        gradients.InTurn(this, x, kernel, dy, batch, inputs, outputs);

    public void BiasGradient(DeviceBuffer dy, int rows, int cols, DeviceBuffer dBias)
    {
        var (dyv, dBiases) = (Require(dy, (long)rows * cols, nameof(dy)), Require(dBias, cols, nameof(dBias)));
        using var scope = Enter();
        _kernels.BiasGradient(_device.Stream, _geometry.Elementwise(cols), dyv, rows, cols, dBiases);
    }

    public void ActivationForward(ActivationKind kind, float alpha, DeviceBuffer x, int length, DeviceBuffer y)
    {
        var (xv, yv) = (Require(x, length, nameof(x)), Require(y, length, nameof(y)));
        using var scope = Enter();
        _kernels.ActivationForward(_device.Stream, _geometry.Elementwise(length), Code(kind), alpha, xv, length, yv);
    }

    public void ActivationBackward(ActivationKind kind, float alpha, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy,
        int length, DeviceBuffer dx) =>
        LaunchActivationBackward(kind, alpha, x, y, dy, length, dx, accumulate: true);

    public void ActivationBackwardSet(ActivationKind kind, float alpha, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy,
        int length, DeviceBuffer dx) =>
        LaunchActivationBackward(kind, alpha, x, y, dy, length, dx, accumulate: false);

    public void SoftmaxForward(DeviceBuffer x, int rows, int cols, DeviceBuffer y)
    {
        long length = (long)rows * cols;
        var (xv, yv) = (Require(x, length, nameof(x)), Require(y, length, nameof(y)));
        using var scope = Enter();
        _kernels.SoftmaxForward(_device.Stream, _geometry.Elementwise(rows), xv, rows, cols, yv);
    }

    public void SoftmaxBackward(DeviceBuffer y, DeviceBuffer dy, int rows, int cols, DeviceBuffer dx)
    {
        long length = (long)rows * cols;
        var (yv, dyv, dxv) = (Require(y, length, nameof(y)), Require(dy, length, nameof(dy)),
            Require(dx, length, nameof(dx)));
        using var scope = Enter();
        _kernels.SoftmaxBackward(_device.Stream, _geometry.Elementwise(rows), yv, dyv, rows, cols, dxv);
    }

    public void LossForward(LossKind kind, DeviceBuffer prediction, DeviceBuffer target, int rows, int cols,
        DeviceBuffer lossPerSample)
    {
        long length = (long)rows * cols;
        var (pv, tv) = (Require(prediction, length, nameof(prediction)), Require(target, length, nameof(target)));
        ArrayView<float> losses = Require(lossPerSample, rows, nameof(lossPerSample));
        using var scope = Enter();
        _kernels.LossForward(_device.Stream, _geometry.Elementwise(rows), Code(kind), pv, tv, rows, cols, losses);
    }

    public void LossBackward(LossKind kind, DeviceBuffer prediction, DeviceBuffer target, int rows, int cols,
        float scale, DeviceBuffer dPrediction)
    {
        long length = (long)rows * cols;
        var (pv, tv) = (Require(prediction, length, nameof(prediction)), Require(target, length, nameof(target)));
        ArrayView<float> dpv = Require(dPrediction, length, nameof(dPrediction));
        using var scope = Enter();
        _kernels.LossBackward(_device.Stream, _geometry.Elementwise(rows), Code(kind), pv, tv, rows, cols, scale, dpv);
    }

    public void AccumulateSum(DeviceBuffer values, int length, int index, DeviceBuffer accumulator)
    {
        var (vv, av) = (Require(values, length, nameof(values)), RequireIndex(accumulator, index));
        using var scope = Enter();
        _kernels.AccumulateSum(_device.Stream, _geometry.Reduction(1), vv, length, index, av);
    }

    public void AccumulateCorrect(DeviceBuffer prediction, DeviceBuffer target, int rows, int cols, int index,
        DeviceBuffer accumulator)
    {
        long length = (long)rows * cols;
        var (pv, tv) = (Require(prediction, length, nameof(prediction)), Require(target, length, nameof(target)));
        ArrayView<float> av = RequireIndex(accumulator, index);
        using var scope = Enter();
        _kernels.AccumulateCorrect(_device.Stream, _geometry.Reduction(1), pv, tv, rows, cols, index, av);
    }

    public void SgdUpdate(DeviceBuffer gradient, int length, float learningRate, float momentum, bool nesterov,
        DeviceBuffer parameter, DeviceBuffer? velocity, GradientSquares? squares = null)
    {
        var (g, w) = (Require(gradient, length, nameof(gradient)), Require(parameter, length, nameof(parameter)));
        ArrayView<float> v = Optional(velocity, length, nameof(velocity));
        AccumulateSquares(gradient, length, squares);
        using var scope = Enter();
        _kernels.Sgd(_device.Stream, _geometry.Elementwise(length), g, length, learningRate, momentum, Flag(nesterov),
            w, Flag(velocity is not null), v);
    }

    public void AdagradUpdate(DeviceBuffer gradient, int length, float learningRate, float epsilon,
        DeviceBuffer parameter, DeviceBuffer accumulator, GradientSquares? squares = null)
    {
        var (g, w, a) = (Require(gradient, length, nameof(gradient)), Require(parameter, length, nameof(parameter)),
            Require(accumulator, length, nameof(accumulator)));
        AccumulateSquares(gradient, length, squares);
        using var scope = Enter();
        _kernels.Adagrad(_device.Stream, _geometry.Elementwise(length), g, length, learningRate, epsilon, w, a);
    }

    public void AdadeltaUpdate(DeviceBuffer gradient, int length, float learningRate, float rho, float epsilon,
        DeviceBuffer parameter, DeviceBuffer accumulator, DeviceBuffer deltaAccumulator,
        GradientSquares? squares = null)
    {
        var (g, w, a) = (Require(gradient, length, nameof(gradient)), Require(parameter, length, nameof(parameter)),
            Require(accumulator, length, nameof(accumulator)));
        ArrayView<float> d = Require(deltaAccumulator, length, nameof(deltaAccumulator));
        AccumulateSquares(gradient, length, squares);
        using var scope = Enter();
        _kernels.Adadelta(_device.Stream, _geometry.Elementwise(length), g, length, learningRate, rho, epsilon, w, a,
            d);
    }

    public void RmspropUpdate(DeviceBuffer gradient, int length, float learningRate, float rho, float epsilon,
        DeviceBuffer parameter, DeviceBuffer accumulator, GradientSquares? squares = null)
    {
        var (g, w, a) = (Require(gradient, length, nameof(gradient)), Require(parameter, length, nameof(parameter)),
            Require(accumulator, length, nameof(accumulator)));
        AccumulateSquares(gradient, length, squares);
        using var scope = Enter();
        _kernels.Rmsprop(_device.Stream, _geometry.Elementwise(length), g, length, learningRate, rho, epsilon, w, a);
    }

    public void AdamUpdate(DeviceBuffer gradient, int length, float correctedLearningRate, float beta1, float beta2,
        float epsilon, DeviceBuffer parameter, DeviceBuffer firstMoment, DeviceBuffer secondMoment,
        GradientSquares? squares = null)
    {
        var (g, w) = (Require(gradient, length, nameof(gradient)), Require(parameter, length, nameof(parameter)));
        var (m, v) = (Require(firstMoment, length, nameof(firstMoment)),
            Require(secondMoment, length, nameof(secondMoment)));
        AccumulateSquares(gradient, length, squares);
        using var scope = Enter();
        _kernels.Adam(_device.Stream, _geometry.Elementwise(length), g, length, correctedLearningRate, beta1, beta2,
            epsilon, w, m, v);
    }

    public void AdamaxUpdate(DeviceBuffer gradient, int length, float correctedLearningRate, float beta1, float beta2,
        float epsilon, DeviceBuffer parameter, DeviceBuffer firstMoment, DeviceBuffer infinityNorm,
        GradientSquares? squares = null)
    {
        var (g, w) = (Require(gradient, length, nameof(gradient)), Require(parameter, length, nameof(parameter)));
        var (m, u) = (Require(firstMoment, length, nameof(firstMoment)),
            Require(infinityNorm, length, nameof(infinityNorm)));
        AccumulateSquares(gradient, length, squares);
        using var scope = Enter();
        _kernels.Adamax(_device.Stream, _geometry.Elementwise(length), g, length, correctedLearningRate, beta1, beta2,
            epsilon, w, m, u);
    }

    public void NadamUpdate(DeviceBuffer gradient, int length, in NadamScalars scalars, DeviceBuffer parameter,
        DeviceBuffer firstMoment, DeviceBuffer secondMoment, GradientSquares? squares = null)
    {
        var (g, w) = (Require(gradient, length, nameof(gradient)), Require(parameter, length, nameof(parameter)));
        var (m, v) = (Require(firstMoment, length, nameof(firstMoment)),
            Require(secondMoment, length, nameof(secondMoment)));
        AccumulateSquares(gradient, length, squares);
        var step = new NadamStep(scalars.LearningRate, scalars.Beta1, scalars.Beta2, scalars.Epsilon,
            scalars.MomentumCache,
            scalars.NextMomentumCache, scalars.ScheduleProduct, scalars.NextScheduleProduct,
                scalars.SecondMomentCorrection);
        using var scope = Enter();
        _kernels.Nadam(_device.Stream, _geometry.Elementwise(length), g, length, step, w, m, v);
    }

    // The sum as a penalty with l2 = 1, its own reduction ahead of the update: a GPU's update kernels are one thread
    // per element, with no reduction of their own to take it in.
    private void AccumulateSquares(DeviceBuffer gradient, int length, GradientSquares? squares)
    {
        if (squares is { } target) AccumulatePenalty(gradient, length, 0f, 1f, 1f, target.Index, target.Accumulator);
    }

    public void AccumulatePenalty(DeviceBuffer parameter, int length, float l1, float l2, float scale, int index,
        DeviceBuffer accumulator)
    {
        var (w, a) = (Require(parameter, length, nameof(parameter)), RequireIndex(accumulator, index));
        using var scope = Enter();
        int groups = _geometry.PartialGroups;
        _kernels.PenaltyPartials(_device.Stream, _geometry.Reduction(groups), w, length, _partials.View);
        _kernels.PenaltyTotal(_device.Stream, _geometry.Reduction(1), _partials.View, groups, l1, l2, scale, index, a);
    }

    public void PenaltyGradient(DeviceBuffer parameter, int length, float l1, float l2, DeviceBuffer gradient)
    {
        var (w, g) = (Require(parameter, length, nameof(parameter)), Require(gradient, length, nameof(gradient)));
        using var scope = Enter();
        _kernels.PenaltyGradient(_device.Stream, _geometry.Elementwise(length), w, length, l1, l2, g);
    }

    public void Im2Col(DeviceBuffer x, Window2D window, DeviceBuffer col)
    {
        window.Validate();
        ArrayView<float> xv = Require(x, window.InputLength, nameof(x));
        long length = (long)window.PatchSize * window.PatchCount;
        ArrayView<float> colv = Require(col, length, nameof(col));
        using var scope = Enter();
        _kernels.Im2Col(_device.Stream, _geometry.Elementwise(length), xv, ToKernel(window), colv);
    }

    public void Col2Im(DeviceBuffer dCol, Window2D window, DeviceBuffer dx) =>
        LaunchCol2Im(dCol, window, dx, accumulate: true);

    public void SwapLeadingAxes(DeviceBuffer x, int a, int b, int inner, DeviceBuffer y)
    {
        long length = (long)a * b * inner;
        var (xv, yv) = (Require(x, length, nameof(x)), Require(y, length, nameof(y)));
        using var scope = Enter();
        _kernels.SwapLeadingAxes(_device.Stream, _geometry.Elementwise(length), xv, a, b, inner, yv);
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
        DeviceBuffer col, DeviceBuffer filterMajor, DeviceBuffer dKernel, DeviceBuffer? dBias, DeviceBuffer? dx,
            bool setDx)
    {
        if (dBias is not null) ChannelBiasGradient(dy, window.Batch, filters, window.OutputPlane, dBias);
        SwapLeadingAxes(dy, window.Batch, filters, window.OutputPlane, filterMajor);
        Gemm(false, true, filterMajor, col, filters, window.PatchSize, window.PatchCount, 1f, 1f, dKernel);
        if (dx is null) return;
        Gemm(true, false, kernel, filterMajor, window.PatchSize, window.PatchCount, filters, 1f, 0f, col);
        LaunchCol2Im(col, window, dx, accumulate: !setDx);
    }

    public void Conv2DMaxPoolForward(ConvolutionStep convolution, DeviceBuffer? bias, DeviceBuffer convOutput,
        PoolingStep pooling)
    {
        var c = convolution;
        Conv2DForward(c.X, c.Kernel, bias, c.Window, c.Filters, c.Columns, c.FilterMajor, convOutput);
        LaunchMaxPoolForward(convOutput, pooling.Window, pooling.Relu, pooling.Y, pooling.Argmax);
    }

    /// <summary>The pooling's backward sets the convolution's dy (with a fused ReLU's mask from y), then the
    /// convolution's.</summary>
    public void Conv2DMaxPoolBackward(ConvolutionStep convolution, PoolingStep pooling, DeviceBuffer dy,
        DeviceBuffer convOutputGradient, DeviceBuffer? masked, ConvolutionGradients gradients)
    {
        var (c, p) = (convolution, pooling);
        LaunchMaxPoolBackward(dy, p.Y, p.Argmax, p.Window, p.Relu, accumulate: false, convOutputGradient);
        Conv2DBackward(c.X, c.Kernel, convOutputGradient, c.Window, c.Filters, c.Columns, c.FilterMajor,
            gradients.Kernel, gradients.Bias, gradients.Input, gradients.SetInput);
    }

    public void AddChannelBias(DeviceBuffer bias, int batch, int channels, int spatial, DeviceBuffer y)
    {
        long length = (long)batch * channels * spatial;
        var (biases, yv) = (Require(bias, channels, nameof(bias)), Require(y, length, nameof(y)));
        using var scope = Enter();
        _kernels.AddChannelBias(_device.Stream, _geometry.Elementwise(length), biases, batch, channels, spatial, yv);
    }

    public void ChannelBiasGradient(DeviceBuffer dy, int batch, int channels, int spatial, DeviceBuffer dBias)
    {
        var (dyv, dBiases) = (Require(dy, (long)batch * channels * spatial, nameof(dy)),
            Require(dBias, channels, nameof(dBias)));
        if (channels == 0) return;
        using var scope = Enter();
        _kernels.ChannelBiasGradient(_device.Stream, _geometry.Reduction(channels), dyv, batch, channels, spatial,
            dBiases);
    }

    public void MaxPoolForward(DeviceBuffer x, Window2D window, DeviceBuffer y, DeviceBuffer argmax) =>
        LaunchMaxPoolForward(x, window, relu: false, y, argmax);

    public void MaxPoolReluForward(DeviceBuffer x, Window2D window, DeviceBuffer y, DeviceBuffer argmax) =>
        LaunchMaxPoolForward(x, window, relu: true, y, argmax);

    public void MaxPoolBackward(DeviceBuffer dy, DeviceBuffer argmax, Window2D window, DeviceBuffer dx) =>
        LaunchMaxPoolBackward(dy, _placeholder, argmax, window, relu: false, accumulate: true, dx);

    public void MaxPoolBackwardSet(DeviceBuffer dy, DeviceBuffer argmax, Window2D window, DeviceBuffer dx) =>
        LaunchMaxPoolBackward(dy, _placeholder, argmax, window, relu: false, accumulate: false, dx);

    /// <summary>The ReLU's mask comes from y in the pooling's own kernel, so <paramref name="masked"/> is not needed
    /// here.</summary>
    public void MaxPoolReluBackward(DeviceBuffer dy, DeviceBuffer y, DeviceBuffer argmax, Window2D window,
        DeviceBuffer dx, DeviceBuffer masked, bool set) =>
        LaunchMaxPoolBackward(dy, y, argmax, window, relu: true, accumulate: !set, dx);

    public void AveragePoolForward(DeviceBuffer x, Window2D window, DeviceBuffer y)
    {
        var (xv, yv, _) = CheckPooling(x, window, y);
        using var scope = Enter();
        _kernels.AveragePoolForward(_device.Stream, _geometry.Elementwise(Outputs(window)), xv, ToKernel(window), yv);
    }

    public void AveragePoolBackward(DeviceBuffer dy, Window2D window, DeviceBuffer dx)
    {
        var (dxv, dyv, _) = CheckPooling(dx, window, dy);
        using var scope = Enter();
        _kernels.AveragePoolBackward(_device.Stream, _geometry.Elementwise(Planes(window)), dyv, ToKernel(window), dxv);
    }

    public void L2PoolForward(DeviceBuffer x, Window2D window, DeviceBuffer y)
    {
        var (xv, yv, _) = CheckPooling(x, window, y);
        using var scope = Enter();
        _kernels.L2PoolForward(_device.Stream, _geometry.Elementwise(Outputs(window)), xv, ToKernel(window), yv);
    }

    public void L2PoolBackward(DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, Window2D window, DeviceBuffer dx)
    {
        var (xv, yv, _) = CheckPooling(x, window, y);
        var (dxv, dyv, _) = CheckPooling(dx, window, dy);
        using var scope = Enter();
        _kernels.L2PoolBackward(_device.Stream, _geometry.Elementwise(Planes(window)), xv, yv, dyv, ToKernel(window),
            dxv);
    }

    public void DropoutForward(DeviceBuffer x, int length, float rate, ulong seed, ulong stream, DeviceBuffer y,
        DeviceBuffer mask, bool afterRelu = false)
    {
        if (!(rate >= 0f && rate < 1f))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
        var (xv, yv, maskv) = (Require(x, length, nameof(x)), Require(y, length, nameof(y)),
            Require(mask, length, nameof(mask)));
        float scale = 1f / (1f - rate);
        using var scope = Enter();
        // A thread per Philox block of four elements.
        _kernels.DropoutForward(_device.Stream, _geometry.Elementwise(((long)length + 3) / 4), xv, length, rate, scale,
            seed, stream, afterRelu ? 1 : 0, yv, maskv);
    }

    public void DropoutBackward(DeviceBuffer dy, DeviceBuffer mask, int length, DeviceBuffer dx)
    {
        var (dyv, maskv, dxv) = (Require(dy, length, nameof(dy)), Require(mask, length, nameof(mask)),
            Require(dx, length, nameof(dx)));
        using var scope = Enter();
        _kernels.DropoutBackward(_device.Stream, _geometry.Elementwise(length), dyv, maskv, length, dxv);
    }

    public void DropoutBackwardSet(DeviceBuffer dy, DeviceBuffer mask, int length, DeviceBuffer dx)
    {
        var (dyv, maskv, dxv) = (Require(dy, length, nameof(dy)), Require(mask, length, nameof(mask)),
            Require(dx, length, nameof(dx)));
        using var scope = Enter();
        _kernels.DropoutBackwardSet(_device.Stream, _geometry.Elementwise(length), dyv, maskv, length, dxv);
    }

    public void BatchNormForwardTraining(DeviceBuffer x, DeviceBuffer? gamma, DeviceBuffer? beta, int batch,
        int channels, int spatial,
        float momentum, float epsilon, DeviceBuffer y, DeviceBuffer saved, DeviceBuffer movingMean,
            DeviceBuffer movingVariance)
    {
        long length = (long)batch * channels * spatial;
        var (xv, yv) = (Require(x, length, nameof(x)), Require(y, length, nameof(y)));
        var (gammas, betas) = (Optional(gamma, channels, nameof(gamma)), Optional(beta, channels, nameof(beta)));
        var (mean, variance) = (Require(movingMean, channels, nameof(movingMean)),
            Require(movingVariance, channels, nameof(movingVariance)));
        ArrayView<float> savedv = Require(saved, 2L * channels, nameof(saved));
        if (channels == 0) return;
        var shape = new BatchNormShape(batch, channels, spatial, Flag(gamma is not null), Flag(beta is not null));
        using var scope = Enter();
        _kernels.BatchNormForwardTraining(_device.Stream, _geometry.Reduction(channels), xv, gammas, betas, shape,
            momentum, epsilon, yv, savedv, mean, variance);
    }

    public void BatchNormForwardInference(DeviceBuffer x, DeviceBuffer? gamma, DeviceBuffer? beta,
        DeviceBuffer movingMean,
        DeviceBuffer movingVariance, int batch, int channels, int spatial, float epsilon, DeviceBuffer y)
    {
        long length = (long)batch * channels * spatial;
        var (xv, yv) = (Require(x, length, nameof(x)), Require(y, length, nameof(y)));
        var (gammas, betas) = (Optional(gamma, channels, nameof(gamma)), Optional(beta, channels, nameof(beta)));
        var (mean, variance) = (Require(movingMean, channels, nameof(movingMean)),
            Require(movingVariance, channels, nameof(movingVariance)));
        var shape = new BatchNormShape(batch, channels, spatial, Flag(gamma is not null), Flag(beta is not null));
        using var scope = Enter();
        _kernels.BatchNormForwardInference(_device.Stream, _geometry.Elementwise(length), xv, gammas, betas, mean,
            variance, shape, epsilon, yv);
    }

    public void BatchNormBackward(DeviceBuffer x, DeviceBuffer? gamma, DeviceBuffer saved, DeviceBuffer dy, int batch,
        int channels, int spatial, DeviceBuffer? dx, DeviceBuffer? dGamma, DeviceBuffer? dBeta, bool setDx = false)
    {
        long length = (long)batch * channels * spatial;
        var (xv, dyv, dxv) = (Require(x, length, nameof(x)), Require(dy, length, nameof(dy)),
            Optional(dx, length, nameof(dx)));
        var (gammas, dGammas) = (Optional(gamma, channels, nameof(gamma)), Optional(dGamma, channels, nameof(dGamma)));
        ArrayView<float> dBetas = Optional(dBeta, channels, nameof(dBeta)),
            savedv = Require(saved, 2L * channels, nameof(saved));
        if (channels == 0) return;
        var shape = new BatchNormShape(batch, channels, spatial, Flag(gamma is not null), hasBeta: 0);
        var outputs = new BatchNormOutputs(Flag(dx is not null), Flag(dGamma is not null), Flag(dBeta is not null),
            Flag(setDx));
        using var scope = Enter();
        _kernels.BatchNormBackward(_device.Stream, _geometry.Reduction(channels), xv, gammas, savedv, dyv, shape,
            outputs, dxv, dGammas, dBetas);
    }

    public void PReluForward(DeviceBuffer x, DeviceBuffer alpha, int batch, int units, DeviceBuffer y)
    {
        long length = (long)batch * units;
        var (xv, yv, alphas) = (Require(x, length, nameof(x)), Require(y, length, nameof(y)),
            Require(alpha, units, nameof(alpha)));
        using var scope = Enter();
        _kernels.PReluForward(_device.Stream, _geometry.Elementwise(length), xv, alphas, batch, units, yv);
    }

    public void PReluBackward(DeviceBuffer x, DeviceBuffer alpha, DeviceBuffer dy, int batch, int units,
        DeviceBuffer? dx, DeviceBuffer dAlpha)
    {
        long length = (long)batch * units;
        var (xv, dyv, dxv) = (Require(x, length, nameof(x)), Require(dy, length, nameof(dy)),
            Optional(dx, length, nameof(dx)));
        var (alphas, dAlphas) = (Require(alpha, units, nameof(alpha)), Require(dAlpha, units, nameof(dAlpha)));
        using var scope = Enter();
        _kernels.PReluBackward(_device.Stream, _geometry.Elementwise(units), xv, alphas, dyv, batch, units,
            Flag(dx is not null), dxv, dAlphas);
    }

    public void Dispose()
    {
        using var scope = _device.Enter();
        if (_disposed) return;
        _disposed = true;
        _device.Stream.Synchronize();
        _staging?.Dispose();
        _partials.Dispose();
        _pool.Dispose();
    }

    // ── Launches shared by several operations ──

    private void LaunchActivationBackward(ActivationKind kind, float alpha, DeviceBuffer x, DeviceBuffer y,
        DeviceBuffer dy, int length, DeviceBuffer dx, bool accumulate)
    {
        var (xv, yv) = (Require(x, length, nameof(x)), Require(y, length, nameof(y)));
        var (dyv, dxv) = (Require(dy, length, nameof(dy)), Require(dx, length, nameof(dx)));
        using var scope = Enter();
        _kernels.ActivationBackward(_device.Stream, _geometry.Elementwise(length), Code(kind), alpha, xv, yv, dyv,
            length, Flag(accumulate), dxv);
    }

    private void LaunchCol2Im(DeviceBuffer dCol, Window2D window, DeviceBuffer dx, bool accumulate)
    {
        window.Validate();
        ArrayView<float> dColv = Require(dCol, (long)window.PatchSize * window.PatchCount, nameof(dCol));
        ArrayView<float> dxv = Require(dx, window.InputLength, nameof(dx));
        using var scope = Enter();
        _kernels.Col2Im(_device.Stream, _geometry.Elementwise(window.InputLength), dColv, ToKernel(window),
            Flag(accumulate), dxv);
    }

    private void LaunchMaxPoolForward(DeviceBuffer x, Window2D window, bool relu, DeviceBuffer y, DeviceBuffer argmax)
    {
        var (xv, yv, outputs) = CheckPooling(x, window, y);
        ArrayView<float> argmaxv = Require(argmax, outputs, nameof(argmax));
        using var scope = Enter();
        _kernels.MaxPoolForward(_device.Stream, _geometry.Elementwise(outputs), xv, ToKernel(window), Flag(relu), yv,
            argmaxv);
    }

    /// <param name="y">The pooled output, read only where <paramref name="relu"/>.</param>
    private void LaunchMaxPoolBackward(DeviceBuffer dy, DeviceBuffer y, DeviceBuffer argmax, Window2D window, bool relu,
        bool accumulate, DeviceBuffer dx)
    {
        var (dxv, dyv, outputs) = CheckPooling(dx, window, dy);
        ArrayView<float> argmaxv = Require(argmax, outputs, nameof(argmax)),
            yv = relu ? Require(y, outputs, nameof(y)) : View(y);
        using var scope = Enter();
        _kernels.MaxPoolBackward(_device.Stream, _geometry.Elementwise(Planes(window)), dyv, yv, argmaxv,
            ToKernel(window), Flag(relu), Flag(accumulate), dxv);
    }

    /// <summary>
    /// Takes the device for one call, after checking that this accelerator is still open: its pool
    /// has given its memory back to the host's allocator, which may already have handed it to
    /// another accelerator, so a late call would write into that one's buffers.
    /// </summary>
    private IlgpuDevice.Scope Enter()
    {
        IlgpuDevice.Scope scope = _device.Enter();
        if (!_disposed) return scope;
        scope.Dispose();
        throw new ObjectDisposedException(nameof(IlgpuAccelerator),
            $"The {Name} accelerator was used after it was disposed.");
    }

    // ── Conversions ──

    private static KernelWindow ToKernel(Window2D w) =>
        new(w.Batch, w.Channels, w.Height, w.Width, w.WindowHeight, w.WindowWidth,
        w.StrideHeight, w.StrideWidth, w.PadTop, w.PadLeft, w.OutputHeight, w.OutputWidth);

    private static long Outputs(Window2D window) => (long)window.Batch * window.Channels * window.OutputPlane;

    private static long Planes(Window2D window) => (long)window.Batch * window.Channels;

    private static int Flag(bool value) => value ? 1 : 0;

    private static int Code(ActivationKind kind) => kind switch
    {
        ActivationKind.Linear => DeviceMath.Linear,
        ActivationKind.Sigmoid => DeviceMath.Sigmoid,
        ActivationKind.Tanh => DeviceMath.Tanh,
        ActivationKind.Relu => DeviceMath.Relu,
        ActivationKind.LeakyRelu => DeviceMath.LeakyRelu,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static int Code(LossKind kind) => kind switch
    {
        LossKind.MeanSquaredError => DeviceMath.MeanSquaredError,
        LossKind.BinaryCrossEntropy => DeviceMath.BinaryCrossEntropy,
        LossKind.CategoricalCrossEntropy => DeviceMath.CategoricalCrossEntropy,
        LossKind.SoftmaxCrossEntropy => DeviceMath.SoftmaxCrossEntropy,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    // ── Shape contracts ──

    private ArrayView<float> View(DeviceBuffer buffer) =>
        buffer is IlgpuBuffer own && ReferenceEquals(own.Owner, this)
            ? own.View
            : throw new ArgumentException(
                $"A {buffer.GetType().Name} from another accelerator was passed to the {Name} accelerator; buffers " +
                    $"belong to the accelerator that allocated them.");

    /// <summary>The buffer's view, after checking that it holds at least <paramref name="needed"/> floats.</summary>
    private ArrayView<float> Require(DeviceBuffer buffer, long needed, string name)
    {
        if (needed < 0) throw new ArgumentException($"{name}: a negative size ({needed}) was asked for.", name);
        ArrayView<float> view = View(buffer);
        if (buffer.Length < needed)
            throw new ArgumentException($"{name} holds {buffer.Length} floats; the kernel needs {needed}.", name);
        return view;
    }

    /// <summary>As <see cref="Require"/> for a buffer that may be left out, which the placeholder then stands
    /// for.</summary>
    private ArrayView<float> Optional(DeviceBuffer? buffer, long needed, string name) =>
        buffer is null ? _placeholder.View : Require(buffer, needed, name);

    private ArrayView<float> RequireIndex(DeviceBuffer accumulator, int index)
    {
        ArrayView<float> view = View(accumulator);
        if (index < 0 || index >= accumulator.Length)
            throw new ArgumentOutOfRangeException(nameof(index), index,
                $"The accumulator holds {accumulator.Length} floats.");
        return view;
    }

    private (ArrayView<float> Input, ArrayView<float> Output, long Outputs) CheckPooling(DeviceBuffer input,
        Window2D window, DeviceBuffer output)
    {
        window.Validate();
        long outputs = Outputs(window);
        return (Require(input, window.InputLength, "x"), Require(output, outputs, "y"), outputs);
    }
}
