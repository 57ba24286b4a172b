using GpuNet.Kernels;
using ILGPU;
using ILGPU.Runtime;
using Doubles = ILGPU.ArrayView<double>;
using View = ILGPU.ArrayView<float>;

namespace GpuNet.Accelerators.Ilgpu;

/// <summary>
/// Every kernel of kernels/, compiled for one ILGPU accelerator once, at start-up, and kept as its
/// launcher: compiling (or even looking up) a kernel per call costs far more than the call.
/// </summary>
/// <remarks>The kernels that share memory in a group are closed over the device's <see cref="IKernelShape"/>.</remarks>
internal sealed class IlgpuKernels
{
    public required Action<AcceleratorStream, KernelConfig, View, int, float> Fill { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, View, int, View> Add { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, int, int, View> AddBias { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, int, int, View> BiasGradient { get; init; }
    public required Action<AcceleratorStream, KernelConfig, int, float, View, int,
        View> ActivationForward { get; init; }
    public required Action<AcceleratorStream, KernelConfig, int, float, View, View, View, int, int,
        View> ActivationBackward { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, View, int, int, View> PReluForward { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, View, View, int, int, int, View,
        View> PReluBackward { get; init; }

    public required Action<AcceleratorStream, KernelConfig, View, int, int, View> SoftmaxForward { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, View, int, int, View> SoftmaxBackward { get; init; }
    public required Action<AcceleratorStream, KernelConfig, int, View, View, int, int, View> LossForward { get; init; }
    public required Action<AcceleratorStream, KernelConfig, int, View, View, int, int, float,
        View> LossBackward { get; init; }

    public required Action<AcceleratorStream, KernelConfig, View, int, int, View> AccumulateSum { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, View, int, int, int,
        View> AccumulateCorrect { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, int, Doubles> PenaltyPartials { get; init; }
    public required Action<AcceleratorStream, KernelConfig, Doubles, int, float, float, float, int,
        View> PenaltyTotal { get; init; }

    public required Action<AcceleratorStream, KernelConfig, View, int, float, float, int, View, int,
        View> Sgd { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, int, float, float, View, View> Adagrad { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, int, float, float, float, View, View,
        View> Adadelta { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, int, float, float, float, View,
        View> Rmsprop { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, int, float, float, float, float, View, View,
        View> Adam { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, int, float, float, float, float, View, View,
        View> Adamax { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, int, NadamStep, View, View, View> Nadam { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, int, float, float,
        View> PenaltyGradient { get; init; }

    public required Action<AcceleratorStream, KernelConfig, GemmShape, View, View, View> Gemm { get; init; }

    public required Action<AcceleratorStream, KernelConfig, View, KernelWindow, View> Im2Col { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, KernelWindow, int, View> Col2Im { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, int, int, int, View> SwapLeadingAxes { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, int, int, int, View> AddChannelBias { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, int, int, int,
        View> ChannelBiasGradient { get; init; }

    public required Action<AcceleratorStream, KernelConfig, View, KernelWindow, int, View,
        View> MaxPoolForward { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, View, View, KernelWindow, int, int,
        View> MaxPoolBackward { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, KernelWindow, View> AveragePoolForward { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, KernelWindow, View> AveragePoolBackward { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, KernelWindow, View> L2PoolForward { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, View, View, KernelWindow,
        View> L2PoolBackward { get; init; }

    public required Action<AcceleratorStream, KernelConfig, View, int, float, float, ulong, ulong, int, View,
        View> DropoutForward { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, View, int, View> DropoutBackward { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, View, int, View> DropoutBackwardSet { get; init; }

    public required Action<AcceleratorStream, KernelConfig, View, View, View, BatchNormShape, float, float, View, View,
        View, View>
        BatchNormForwardTraining { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, View, View, View, View, BatchNormShape, float, View>
        BatchNormForwardInference { get; init; }
    public required Action<AcceleratorStream, KernelConfig, View, View, View, View, BatchNormShape, BatchNormOutputs,
        View, View, View>
        BatchNormBackward { get; init; }

    /// <summary>Compiles every kernel for <paramref name="device"/>, the group-shared ones for <typeparamref
    /// name="TShape"/>.</summary>
    public static IlgpuKernels Load<TShape>(Accelerator device) where TShape : struct, IKernelShape => new()
    {
        Fill = device.LoadKernel<View, int, float>(ElementwiseKernels.Fill),
        Add = device.LoadKernel<View, View, int, View>(ElementwiseKernels.Add),
        AddBias = device.LoadKernel<View, int, int, View>(ElementwiseKernels.AddBias),
        BiasGradient = device.LoadKernel<View, int, int, View>(ElementwiseKernels.BiasGradient),
        ActivationForward = device.LoadKernel<int, float, View, int, View>(ElementwiseKernels.ActivationForward),
        ActivationBackward = device.LoadKernel<int, float, View, View, View, int, int,
            View>(ElementwiseKernels.ActivationBackward),
        PReluForward = device.LoadKernel<View, View, int, int, View>(ElementwiseKernels.PReluForward),
        PReluBackward = device.LoadKernel<View, View, View, int, int, int, View,
            View>(ElementwiseKernels.PReluBackward),

        SoftmaxForward = device.LoadKernel<View, int, int, View>(SoftmaxLossKernels.SoftmaxForward),
        SoftmaxBackward = device.LoadKernel<View, View, int, int, View>(SoftmaxLossKernels.SoftmaxBackward),
        LossForward = device.LoadKernel<int, View, View, int, int, View>(SoftmaxLossKernels.LossForward),
        LossBackward = device.LoadKernel<int, View, View, int, int, float, View>(SoftmaxLossKernels.LossBackward),

        AccumulateSum = device.LoadKernel<View, int, int, View>(ReductionKernels.AccumulateSum<TShape>),
        AccumulateCorrect = device.LoadKernel<View, View, int, int, int,
            View>(ReductionKernels.AccumulateCorrect<TShape>),
        PenaltyPartials = device.LoadKernel<View, int, Doubles>(ReductionKernels.PenaltyPartials<TShape>),
        PenaltyTotal = device.LoadKernel<Doubles, int, float, float, float, int,
            View>(ReductionKernels.PenaltyTotal<TShape>),

        Sgd = device.LoadKernel<View, int, float, float, int, View, int, View>(OptimizerKernels.Sgd),
        Adagrad = device.LoadKernel<View, int, float, float, View, View>(OptimizerKernels.Adagrad),
        Adadelta = device.LoadKernel<View, int, float, float, float, View, View, View>(OptimizerKernels.Adadelta),
        Rmsprop = device.LoadKernel<View, int, float, float, float, View, View>(OptimizerKernels.Rmsprop),
        Adam = device.LoadKernel<View, int, float, float, float, float, View, View, View>(OptimizerKernels.Adam),
        Adamax = device.LoadKernel<View, int, float, float, float, float, View, View, View>(OptimizerKernels.Adamax),
        Nadam = device.LoadKernel<View, int, NadamStep, View, View, View>(OptimizerKernels.Nadam),
        PenaltyGradient = device.LoadKernel<View, int, float, float, View>(OptimizerKernels.PenaltyGradient),

        Gemm = device.LoadKernel<GemmShape, View, View, View>(GemmKernels.Gemm<TShape>),

        Im2Col = device.LoadKernel<View, KernelWindow, View>(ConvolutionKernels.Im2Col),
        Col2Im = device.LoadKernel<View, KernelWindow, int, View>(ConvolutionKernels.Col2Im),
        SwapLeadingAxes = device.LoadKernel<View, int, int, int, View>(ConvolutionKernels.SwapLeadingAxes),
        AddChannelBias = device.LoadKernel<View, int, int, int, View>(ConvolutionKernels.AddChannelBias),
        ChannelBiasGradient = device.LoadKernel<View, int, int, int,
            View>(ConvolutionKernels.ChannelBiasGradient<TShape>),

        MaxPoolForward = device.LoadKernel<View, KernelWindow, int, View, View>(PoolingKernels.MaxForward),
        MaxPoolBackward = device.LoadKernel<View, View, View, KernelWindow, int, int, View>(PoolingKernels.MaxBackward),
        AveragePoolForward = device.LoadKernel<View, KernelWindow, View>(PoolingKernels.AverageForward),
        AveragePoolBackward = device.LoadKernel<View, KernelWindow, View>(PoolingKernels.AverageBackward),
        L2PoolForward = device.LoadKernel<View, KernelWindow, View>(PoolingKernels.L2Forward),
        L2PoolBackward = device.LoadKernel<View, View, View, KernelWindow, View>(PoolingKernels.L2Backward),

        DropoutForward = device.LoadKernel<View, int, float, float, ulong, ulong, int, View, View>(
            DropoutKernels.Forward),
        DropoutBackward = device.LoadKernel<View, View, int, View>(DropoutKernels.Backward),
        DropoutBackwardSet = device.LoadKernel<View, View, int, View>(DropoutKernels.BackwardSet),

        BatchNormForwardTraining = device.LoadKernel<View, View, View, BatchNormShape, float, float, View, View, View,
            View>(
            BatchNormKernels.ForwardTraining<TShape>),
        BatchNormForwardInference = device.LoadKernel<View, View, View, View, View, BatchNormShape, float, View>(
            BatchNormKernels.ForwardInference),
        BatchNormBackward = device.LoadKernel<View, View, View, View, BatchNormShape, BatchNormOutputs, View, View,
            View>(
            BatchNormKernels.Backward<TShape>),
    };
}
