using GpuNet.Accelerators;
using GpuNet.Parameters;

namespace GpuNet.Optimizers;

/// <summary>
/// Keras 2's Nadam(lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=1e-7, schedule_decay=0.004):
/// Adam with Nesterov momentum, whose momentum warms up as μ_t = β₁(1 − ½·0.96^(t·schedule_decay)).
/// </summary>
public sealed class Nadam(float learningRate = 0.002f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f,
    float scheduleDecay = 0.004f)
    : Optimizer(learningRate, 0f)
{
    // Π μ_i over the steps taken, a float product as Keras keeps it, so a resumed run that
    // rebuilds it step by step gets the very same bits.
    private float _scheduleProduct = 1f;
    private long _productSteps;

    public float Beta1 { get; } = InRange("Nadam", "beta_1", beta1, 0f, 0.9999999f);

    public float Beta2 { get; } = InRange("Nadam", "beta_2", beta2, 0f, 0.9999999f);

    public float Epsilon { get; } = Positive("Nadam", "epsilon", epsilon);

    public float ScheduleDecay { get; } = InRange("Nadam", "schedule_decay", scheduleDecay, 0f, 1f);

    public override string Name => "Nadam";

    public override IReadOnlyList<string> SlotNames => ["m", "v"];

    private NadamScalars _scalars;

    protected override void BeginStep(long iteration)
    {
        Restore(iteration - 1);
        float momentum = MomentumAt(iteration), nextMomentum = MomentumAt(iteration + 1);
        _scheduleProduct *= momentum;
        _productSteps = iteration;
        _scalars = new NadamScalars(LearningRate, Beta1, Beta2, Epsilon, momentum, nextMomentum,
            _scheduleProduct, _scheduleProduct * nextMomentum, (float)(1 - Math.Pow(Beta2, iteration)));
    }

    public override void Restore(long iterations)
    {
        if (_productSteps == iterations) return;
        _scheduleProduct = 1f;
        for (long t = 1; t <= iterations; t++) _scheduleProduct *= MomentumAt(t);
        _productSteps = iterations;
    }

    protected override void Update(IAccelerator accelerator, Parameter p, float learningRate, long iteration,
        DeviceBuffer[] slots, GradientSquares? squares) =>
        accelerator.NadamUpdate(p.Gradient.Buffer, p.Length, _scalars, p.Value.Buffer, slots[0], slots[1],
            squares);

    private float MomentumAt(long t) => Beta1 * (1f - 0.5f * MathF.Pow(0.96f, t * ScheduleDecay));

    public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?>
    {
        ["lr"] = LearningRate, ["beta_1"] = Beta1, ["beta_2"] = Beta2, ["epsilon"] = Epsilon,
            ["schedule_decay"] = ScheduleDecay,
    };
}
