using GpuNet.Accelerators;
using GpuNet.Parameters;

namespace GpuNet.Optimizers;

/// <summary>Keras 2's Adadelta(lr=1.0, rho=0.95, epsilon=1e-7, decay=0).</summary>
public sealed class Adadelta(float learningRate = 1f, float rho = 0.95f, float epsilon = 1e-7f,
    float decay = 0f) : Optimizer(learningRate, decay)
{
    public float Rho { get; } = InRange("Adadelta", "rho", rho, 0f, 1f);

    public float Epsilon { get; } = Positive("Adadelta", "epsilon", epsilon);

    public override string Name => "Adadelta";

    public override IReadOnlyList<string> SlotNames => ["accumulator", "delta_accumulator"];

    protected override void Update(IAccelerator accelerator, Parameter p, float learningRate, long iteration,
        DeviceBuffer[] slots, GradientSquares? squares) =>
        accelerator.AdadeltaUpdate(p.Gradient.Buffer, p.Length, learningRate, Rho, Epsilon, p.Value.Buffer, slots[0],
            slots[1], squares);

    public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?>
    {
        ["lr"] = LearningRate, ["rho"] = Rho, ["epsilon"] = Epsilon, ["decay"] = Decay,
    };
}
