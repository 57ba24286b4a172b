using GpuNet.Graph;
using GpuNet.Parameters;
using GpuNet.Ops;

namespace GpuNet.Layers;

/// <summary>Keras's Dense: activation(x · kernel + bias), kernel [in, out].</summary>
public sealed class DenseLayer : Layer
{
    public DenseLayer(int units, string? activation = null, bool useBias = true, Initializer? kernelInitializer = null,
        Initializer? biasInitializer = null, Regularizer? kernelRegularizer = null)
    {
        if (units <= 0) throw new GpuNetException($"Dense: 'units' must be a positive integer, got {units}");
        Units = units;
        Activation = ActivationFunction.Parse(activation);
        UseBias = useBias;
        KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform;
        BiasInitializer = biasInitializer ?? Initializer.Zeros;
        KernelRegularizer = kernelRegularizer;
    }

    public int Units { get; }

    public ActivationFunction Activation { get; }

    public bool UseBias { get; }

    public Initializer KernelInitializer { get; }

    public Initializer BiasInitializer { get; }

    public Regularizer? KernelRegularizer { get; }

    public override string TypeName => "Dense";

    public override Value Build(LayerBuilder builder, Value input)
    {
        // The kernel's fan-in comes from the input; a shape error is reported by the op below.
        int inputs = input.SampleShape.Length == 1 ? input.SampleShape[0]
            : Tensors.ShapeOf.ElementCount(input.SampleShape);
        Parameter kernel = builder.AddParameter("kernel", [inputs, Units], KernelInitializer,
            regularizer: KernelRegularizer);
        Parameter? bias = UseBias ? builder.AddParameter("bias", [Units], BiasInitializer) : null;
        Value affine = builder.Graph.Apply(new MatMulBiasOp(kernel, bias), input);
        return Activation.Apply(builder.Graph, affine);
    }

    public override IReadOnlyDictionary<string, object?> GetConfig()
    {
        var config = new Dictionary<string, object?>
        {
            ["units"] = Units,
            ["activation"] = Activation.Name,
            ["use_bias"] = UseBias,
            ["kernel_initializer"] = KernelInitializer.ToConfig(),
            ["bias_initializer"] = BiasInitializer.ToConfig(),
        };
        if (KernelRegularizer is not null) config["kernel_regularizer"] = KernelRegularizer.ToConfig();
        return config;
    }
}
