using GpuNet.Accelerators;
using GpuNet.Parameters;

namespace GpuNet.Optimizers;

/// <summary>Keras 2's RMSprop(lr=0.001, rho=0.9, epsilon=1e-7, decay=0).</summary>
public sealed class Rmsprop(float learningRate = 0.001f, float rho = 0.9f, float epsilon = 1e-7f,
    float decay = 0f) : Optimizer(learningRate, decay)
{
    public float Rho { get; } = InRange("RMSprop", "rho", rho, 0f, 1f);

    public float Epsilon { get; } = Positive("RMSprop", "epsilon", epsilon);

    public override string Name => "RMSprop";

    public override IReadOnlyList<string> SlotNames => ["accumulator"];

    protected override void Update(IAccelerator accelerator, Parameter p, float learningRate, long iteration,
        DeviceBuffer[] slots, GradientSquares? squares) =>
        accelerator.RmspropUpdate(p.Gradient.Buffer, p.Length, learningRate, Rho, Epsilon, p.Value.Buffer, slots[0],
            squares);

    public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?>
    {
        ["lr"] = LearningRate, ["rho"] = Rho, ["epsilon"] = Epsilon, ["decay"] = Decay,
    };
}
