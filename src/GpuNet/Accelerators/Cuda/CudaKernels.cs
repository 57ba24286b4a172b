using System.Reflection;

namespace GpuNet.Accelerators.Cuda;

/// <summary>A kernel's CUfunction and its name, fetched once when the accelerator starts.</summary>
internal readonly record struct CudaKernel(nint Function, string Name);

/// <summary>
/// The PTX of every kernel family (kernels/ptx/*.ptx, embedded in this assembly), loaded with
/// cuModuleLoadData once per accelerator, and every kernel's function fetched once, so no call
/// ever pays for a module load or a lookup.
/// </summary>
internal sealed class CudaKernels
{
    public CudaKernels(CudaDriver driver)
    {
        var modules = new Dictionary<string, nint>();
        nint Module(string family)
        {
            if (modules.TryGetValue(family, out nint module)) return module;
            return modules[family] = driver.LoadModule(Ptx(family));
        }
        CudaKernel Get(string family, string name) => new(driver.GetFunction(Module(family), name), name);

        Gemm = Get("gemm", "gpunet_gemm");
        Im2Col = Get("convolution", "gpunet_im2col");
        Col2Im = Get("convolution", "gpunet_col2im");
        SwapLeadingAxes = Get("convolution", "gpunet_swap_leading_axes");
        AddChannelBias = Get("convolution", "gpunet_add_channel_bias");
        ChannelBiasGradient = Get("convolution", "gpunet_channel_bias_gradient");
        MaxPoolForward = Get("pooling", "gpunet_max_pool_forward");
        MaxPoolBackward = Get("pooling", "gpunet_max_pool_backward");
        AveragePoolForward = Get("pooling", "gpunet_average_pool_forward");
        AveragePoolBackward = Get("pooling", "gpunet_average_pool_backward");
        L2PoolForward = Get("pooling", "gpunet_l2_pool_forward");
        L2PoolBackward = Get("pooling", "gpunet_l2_pool_backward");
        BatchNormForwardTraining = Get("batchnorm", "gpunet_batch_norm_forward_training");
        BatchNormForwardInference = Get("batchnorm", "gpunet_batch_norm_forward_inference");
        BatchNormBackward = Get("batchnorm", "gpunet_batch_norm_backward");
        DropoutForward = Get("dropout", "gpunet_dropout_forward");
        DropoutBackward = Get("dropout", "gpunet_dropout_backward");
        Add = Get("elementwise", "gpunet_add");
        AddBias = Get("elementwise", "gpunet_add_bias");
        BiasGradient = Get("elementwise", "gpunet_bias_gradient");
        ActivationForward = Get("elementwise", "gpunet_activation_forward");
        ActivationBackward = Get("elementwise", "gpunet_activation_backward");
        PReluForward = Get("elementwise", "gpunet_prelu_forward");
        PReluBackward = Get("elementwise", "gpunet_prelu_backward");
        SoftmaxForward = Get("softmax_loss", "gpunet_softmax_forward");
        SoftmaxBackward = Get("softmax_loss", "gpunet_softmax_backward");
        LossForward = Get("softmax_loss", "gpunet_loss_forward");
        LossBackward = Get("softmax_loss", "gpunet_loss_backward");
        AccumulateSum = Get("reductions", "gpunet_accumulate_sum");
        AccumulateCorrect = Get("reductions", "gpunet_accumulate_correct");
        AccumulatePenalty = Get("reductions", "gpunet_accumulate_penalty");
        SgdUpdate = Get("optimizers", "gpunet_sgd_update");
        AdagradUpdate = Get("optimizers", "gpunet_adagrad_update");
        AdadeltaUpdate = Get("optimizers", "gpunet_adadelta_update");
        RmspropUpdate = Get("optimizers", "gpunet_rmsprop_update");
        AdamUpdate = Get("optimizers", "gpunet_adam_update");
        AdamaxUpdate = Get("optimizers", "gpunet_adamax_update");
        NadamUpdate = Get("optimizers", "gpunet_nadam_update");
        PenaltyGradient = Get("optimizers", "gpunet_penalty_gradient");
    }

    /// <summary>The kernel families, one PTX file each.</summary>
    public static IReadOnlyList<string> Families { get; } =
        ["batchnorm", "convolution", "dropout", "elementwise", "gemm", "optimizers", "pooling", "reductions", "softmax_loss"];

    /// <summary>The embedded PTX of one family.</summary>
    public static byte[] Ptx(string family)
    {
        string resource = $"GpuNet.Kernels.{family}.ptx";
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The PTX resource {resource} is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    public CudaKernel Gemm { get; }
    public CudaKernel Im2Col { get; }
    public CudaKernel Col2Im { get; }
    public CudaKernel SwapLeadingAxes { get; }
    public CudaKernel AddChannelBias { get; }
    public CudaKernel ChannelBiasGradient { get; }
    public CudaKernel MaxPoolForward { get; }
    public CudaKernel MaxPoolBackward { get; }
    public CudaKernel AveragePoolForward { get; }
    public CudaKernel AveragePoolBackward { get; }
    public CudaKernel L2PoolForward { get; }
    public CudaKernel L2PoolBackward { get; }
    public CudaKernel BatchNormForwardTraining { get; }
    public CudaKernel BatchNormForwardInference { get; }
    public CudaKernel BatchNormBackward { get; }
    public CudaKernel DropoutForward { get; }
    public CudaKernel DropoutBackward { get; }
    public CudaKernel Add { get; }
    public CudaKernel AddBias { get; }
    public CudaKernel BiasGradient { get; }
    public CudaKernel ActivationForward { get; }
    public CudaKernel ActivationBackward { get; }
    public CudaKernel PReluForward { get; }
    public CudaKernel PReluBackward { get; }
    public CudaKernel SoftmaxForward { get; }
    public CudaKernel SoftmaxBackward { get; }
    public CudaKernel LossForward { get; }
    public CudaKernel LossBackward { get; }
    public CudaKernel AccumulateSum { get; }
    public CudaKernel AccumulateCorrect { get; }
    public CudaKernel AccumulatePenalty { get; }
    public CudaKernel SgdUpdate { get; }
    public CudaKernel AdagradUpdate { get; }
    public CudaKernel AdadeltaUpdate { get; }
    public CudaKernel RmspropUpdate { get; }
    public CudaKernel AdamUpdate { get; }
    public CudaKernel AdamaxUpdate { get; }
    public CudaKernel NadamUpdate { get; }
    public CudaKernel PenaltyGradient { get; }
}
