using GpuNet.Accelerators;
using GpuNet.Parameters;

namespace GpuNet.Optimizers;

/// <summary>Keras 2's Adamax(lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=1e-7, decay=0): Adam under the infinity
/// norm.</summary>
public sealed class Adamax(float learningRate = 0.002f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f,
    float decay = 0f)
    : Optimizer(learningRate, decay)
{
    public float Beta1 { get; } = InRange("Adamax", "beta_1", beta1, 0f, 0.9999999f);

    public float Beta2 { get; } = InRange("Adamax", "beta_2", beta2, 0f, 0.9999999f);

    public float Epsilon { get; } = Positive("Adamax", "epsilon", epsilon);

    public override string Name => "Adamax";

    public override IReadOnlyList<string> SlotNames => ["m", "u"];

    protected override void Update(IAccelerator accelerator, Parameter p, float learningRate, long iteration,
        DeviceBuffer[] slots, GradientSquares? squares)
    {
        float corrected = (float)(learningRate / (1 - Math.Pow(Beta1, iteration)));
        accelerator.AdamaxUpdate(p.Gradient.Buffer, p.Length, corrected, Beta1, Beta2, Epsilon, p.Value.Buffer,
            slots[0], slots[1], squares);
    }

    public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?>
    {
        ["lr"] = LearningRate, ["beta_1"] = Beta1, ["beta_2"] = Beta2, ["epsilon"] = Epsilon, ["decay"] = Decay,
    };
}
