using GpuNet.Accelerators;
using GpuNet.Models;

namespace GpuNet.Optimizers;

/// <summary>Plain stochastic gradient descent: w −= lr · g.</summary>
public sealed class Sgd : Optimizer
{
    public Sgd(float learningRate = 0.01f)
    {
        if (!(learningRate > 0f) || float.IsInfinity(learningRate))
            throw new GpuNetException($"SGD: 'lr' must be a positive number, got {learningRate}");
        LearningRate = learningRate;
    }

    public override string Name => "SGD";

    public override void Apply(IAccelerator accelerator, IReadOnlyList<Parameter> parameters, long iteration)
    {
        foreach (Parameter p in parameters)
        {
            if (p.Trainable) accelerator.SgdUpdate(p.Gradient.Buffer, p.Length, LearningRate, p.Value.Buffer);
        }
    }

    public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?> { ["lr"] = LearningRate };
}
