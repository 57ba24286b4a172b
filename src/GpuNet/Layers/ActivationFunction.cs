using GpuNet.Accelerators;
using GpuNet.Graph;
using GpuNet.Ops;

namespace GpuNet.Layers;

/// <summary>An activation given by its Keras name, as Dense's <c>activation</c> argument or the Activation
/// layer.</summary>
public sealed class ActivationFunction
{
    /// <summary>Keras's default slope for the leaky_relu function (the LeakyReLU layer's is 0.3).</summary>
    public const float LeakyReluDefaultAlpha = 0.2f;

    private static readonly string[] ValidNames = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"];

    private ActivationFunction(string name) => Name = name;

    public string Name { get; }

    public static IReadOnlyList<string> Names => ValidNames;

    public static ActivationFunction Linear { get; } = new("linear");

    public static ActivationFunction Parse(string? name)
    {
        if (name is null) return Linear;
        if (!ValidNames.Contains(name))
            throw new GpuNetException($"unknown activation '{name}'; valid activations are {string.Join(", ",
                ValidNames)}");
        return new ActivationFunction(name);
    }

    public bool IsLinear => Name == "linear";

    /// <summary>Appends the activation's op; linear adds nothing.</summary>
    public Value Apply(ComputationGraph graph, Value input) => Name switch
    {
        "linear" => input,
        "softmax" => graph.Apply(new SoftmaxOp(), input),
        "sigmoid" => graph.Apply(new ActivationOp(ActivationKind.Sigmoid), input),
        "tanh" => graph.Apply(new ActivationOp(ActivationKind.Tanh), input),
        "relu" => graph.Apply(new ActivationOp(ActivationKind.Relu), input),
        "leaky_relu" => graph.Apply(new ActivationOp(ActivationKind.LeakyRelu, LeakyReluDefaultAlpha), input),
        _ => throw new InvalidOperationException(Name),
    };

    public override string ToString() => Name;
}
