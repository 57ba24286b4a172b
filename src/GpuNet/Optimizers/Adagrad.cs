using GpuNet.Accelerators;
using GpuNet.Parameters;

namespace GpuNet.Optimizers;

/// <summary>Keras 2's Adagrad(lr=0.01, epsilon=1e-7, decay=0): steps shrink with the sum of squared
/// gradients.</summary>
public sealed class Adagrad(float learningRate = 0.01f, float epsilon = 1e-7f,
    float decay = 0f) : Optimizer(learningRate, decay)
{
    public float Epsilon { get; } = Positive("Adagrad", "epsilon", epsilon);

    public override string Name => "Adagrad";

    public override IReadOnlyList<string> SlotNames => ["accumulator"];

    protected override void Update(IAccelerator accelerator, Parameter p, float learningRate, long iteration,
        DeviceBuffer[] slots, GradientSquares? squares) =>
        accelerator.AdagradUpdate(p.Gradient.Buffer, p.Length, learningRate, Epsilon, p.Value.Buffer, slots[0],
            squares);

    public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?>
    {
        ["lr"] = LearningRate, ["epsilon"] = Epsilon, ["decay"] = Decay,
    };
}
