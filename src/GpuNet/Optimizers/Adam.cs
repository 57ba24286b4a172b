using GpuNet.Accelerators;
using GpuNet.Parameters;

namespace GpuNet.Optimizers;

/// <summary>Keras 2's Adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, decay=0).</summary>
public sealed class Adam(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f,
    float decay = 0f)
    : Optimizer(learningRate, decay)
{
    public float Beta1 { get; } = InRange("Adam", "beta_1", beta1, 0f, 0.9999999f);

    public float Beta2 { get; } = InRange("Adam", "beta_2", beta2, 0f, 0.9999999f);

    public float Epsilon { get; } = Positive("Adam", "epsilon", epsilon);

    public override string Name => "Adam";

    public override IReadOnlyList<string> SlotNames => ["m", "v"];

    protected override void Update(IAccelerator accelerator, Parameter p, float learningRate, long iteration,
        DeviceBuffer[] slots, GradientSquares? squares)
    {
        // lr_t = lr·√(1 − β₂^t) / (1 − β₁^t): the bias correction of both moments in one scalar.
        float corrected = (float)(learningRate * Math.Sqrt(1 - Math.Pow(Beta2, iteration)) / (1 - Math.Pow(Beta1,
            iteration)));
        accelerator.AdamUpdate(p.Gradient.Buffer, p.Length, corrected, Beta1, Beta2, Epsilon, p.Value.Buffer, slots[0],
            slots[1], squares);
    }

    public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?>
    {
        ["lr"] = LearningRate, ["beta_1"] = Beta1, ["beta_2"] = Beta2, ["epsilon"] = Epsilon, ["decay"] = Decay,
    };
}
