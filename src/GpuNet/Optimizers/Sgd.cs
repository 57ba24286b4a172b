using GpuNet.Accelerators;
using GpuNet.Parameters;

namespace GpuNet.Optimizers;

/// <summary>Keras's SGD(lr=0.01, momentum=0, decay=0, nesterov=False).</summary>
public sealed class Sgd : Optimizer
{
    public Sgd(float learningRate = 0.01f, float momentum = 0f, float decay = 0f,
        bool nesterov = false) : base(learningRate, decay)
    {
        Momentum = InRange("SGD", "momentum", momentum, 0f, 1f);
        Nesterov = nesterov;
    }

    public float Momentum { get; }

    public bool Nesterov { get; }

    public override string Name => "SGD";

    // Plain SGD keeps no velocity: no memory, no extra pass.
    public override IReadOnlyList<string> SlotNames => Momentum > 0f ? ["velocity"] : [];

    protected override void Update(IAccelerator accelerator, Parameter p, float learningRate, long iteration,
        DeviceBuffer[] slots, GradientSquares? squares) =>
        accelerator.SgdUpdate(p.Gradient.Buffer, p.Length, learningRate, Momentum, Nesterov, p.Value.Buffer,
            slots.Length > 0 ? slots[0] : null, squares);

    public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?>
    {
        ["lr"] = LearningRate, ["momentum"] = Momentum, ["decay"] = Decay, ["nesterov"] = Nesterov,
    };
}
