using GpuNet.Graph;
using GpuNet.Parameters;
using GpuNet.Ops;

namespace GpuNet.Layers;

/// <summary>
/// Keras's Conv2D: activation(conv(x, kernel) + bias) with kernel [filters, channels, kh, kw].
/// The input is an image [C, H, W], or [H, W] taken as one channel.
/// </summary>
public sealed class Conv2DLayer : Layer
{
    public Conv2DLayer(int filters, (int Height, int Width) kernelSize, (int Height, int Width)? strides = null,
        string padding = "valid",
        string? activation = null, bool useBias = true, Initializer? kernelInitializer = null,
            Initializer? biasInitializer = null,
        Regularizer? kernelRegularizer = null)
    {
        if (filters <= 0) throw new GpuNetException($"Conv2D: 'filters' must be a positive integer, got {filters}");
        WindowArguments.CheckPair("Conv2D", "kernel_size", kernelSize);
        Filters = filters;
        KernelSize = kernelSize;
        Strides = strides ?? (1, 1);
        WindowArguments.CheckPair("Conv2D", "strides", Strides);
        Padding = PaddingNames.Parse(padding, "Conv2D");
        Activation = ActivationFunction.Parse(activation);
        UseBias = useBias;
        KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform;
        BiasInitializer = biasInitializer ?? Initializer.Zeros;
        KernelRegularizer = kernelRegularizer;
    }

    public int Filters { get; }

    public (int Height, int Width) KernelSize { get; }

    public (int Height, int Width) Strides { get; }

    public Padding Padding { get; }

    public ActivationFunction Activation { get; }

    public bool UseBias { get; }

    public Initializer KernelInitializer { get; }

    public Initializer BiasInitializer { get; }

    public Regularizer? KernelRegularizer { get; }

    public override string TypeName => "Conv2D";

    public override string NameStem => "conv2d";

    public override Value Build(LayerBuilder builder, Value input)
    {
        // The kernel's channel count comes from the input; Conv2DOp then checks the image fits the kernel.
        var (channels, _, _) = ImageShape.Of(input.SampleShape);
        Parameter kernel = builder.AddParameter("kernel", [Filters, channels, KernelSize.Height, KernelSize.Width],
            KernelInitializer, regularizer: KernelRegularizer);
        Parameter? bias = UseBias ? builder.AddParameter("bias", [Filters], BiasInitializer) : null;
        var window = new SlidingWindow(KernelSize.Height, KernelSize.Width, Strides.Height, Strides.Width, Padding,
            "kernel");
        Value convolved = builder.Graph.Apply(new Conv2DOp(kernel, bias, window), input);
        return Activation.Apply(builder.Graph, convolved);
    }

    public override IReadOnlyDictionary<string, object?> GetConfig()
    {
        var config = new Dictionary<string, object?>
        {
            ["filters"] = Filters,
            ["kernel_size"] = new[] { KernelSize.Height, KernelSize.Width },
            ["strides"] = new[] { Strides.Height, Strides.Width },
            ["padding"] = Padding.ToName(),
            ["activation"] = Activation.Name,
            ["use_bias"] = UseBias,
            ["kernel_initializer"] = KernelInitializer.ToConfig(),
            ["bias_initializer"] = BiasInitializer.ToConfig(),
        };
        if (KernelRegularizer is not null) config["kernel_regularizer"] = KernelRegularizer.ToConfig();
        return config;
    }
}
