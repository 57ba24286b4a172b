using GpuNet.Layers;
using GpuNet.Losses;
using GpuNet.Models;
using GpuNet.Optimizers;

namespace GpuNet.Config;

/// <summary>A training run as a config file describes it: model, loss, optimizer, data and schedule.</summary>
public sealed class RunConfig
{
    /// <summary>The file it was read from, for messages.</summary>
    public required string SourceFile { get; init; }

    /// <summary>The file's text, copied into the run folder as it was.</summary>
    public required string SourceText { get; init; }

    public required string Name { get; init; }

    public required string Dataset { get; init; }

    /// <summary>Per-sample input shape in Keras's order, e.g. [28, 28].</summary>
    public required int[] InputShape { get; init; }

    public required IReadOnlyList<Layer> Layers { get; init; }

    /// <summary>The place of each layer in the file, for errors found when the model is built.</summary>
    public required IReadOnlyList<ConfigNode> LayerNodes { get; init; }

    public required Loss Loss { get; init; }

    /// <summary>Makes a fresh optimizer; every trainer needs its own state.</summary>
    public required Func<Optimizer> CreateOptimizer { get; init; }

    public required IReadOnlyList<string> Metrics { get; init; }

    /// <summary>Makes the config's callbacks with fresh state.</summary>
    public required Func<IReadOnlyList<Training.TrainingCallback>> CreateCallbacks { get; init; }

    public required ValidationChoice Validation { get; init; }

    /// <summary>Train on this slice of the training set only, e.g. [0, 10000].</summary>
    public (int Start, int End)? TrainingRange { get; init; }

    public int BatchSize { get; set; }

    public int Epochs { get; set; }

    public ulong Seed { get; set; }

    /// <summary>"auto" (the default), "cpu", "cuda", "opencl" or "ilgpu-cpu": where the run computes; --backend
    /// overrides it.</summary>
    public string Backend { get; set; } = "auto";

    /// <summary>How the training images are expanded, or null for the images as they are.</summary>
    public Data.Augmentation.Augmentation? Augmentation { get; init; }

    /// <summary>Several networks voting, or null for one network.</summary>
    public EnsembleSettings? Ensemble { get; init; }

    public TestEvaluationSettings TestEvaluation { get; init; } = TestEvaluationSettings.None;

    /// <summary>What the lecture notes report for this experiment, if the config says.</summary>
    public LectureReference? Lecture { get; init; }

    /// <summary>Checkpoints in the middle of epochs (<c>checkpoint_every: {steps: N}</c> or <c>{minutes: M}</c>), or
    /// null for epoch ends only.</summary>
    public Training.CheckpointSchedule? CheckpointEvery { get; init; }

    /// <summary>The Sequential model, with a shape error reported at the layer's line in the file.</summary>
    public Sequential CreateModel()
    {
        var model = new Sequential(InputShape, Layers);
        try
        {
            model.Build();
        }
        catch (LayerException e)
        {
            throw AtLayerLine(e);
        }
        return model;
    }

    /// <summary>A layer's error (a shape, a size) as an error at that layer's line in the config file.</summary>
    public ConfigException AtLayerLine(LayerException e)
    {
        ConfigNode node = LayerNodes[e.LayerIndex];
        return new ConfigException(node.File, (int)node.Yaml.Start.Line, (int)node.Yaml.Start.Column,
            $"{node.Path} ({e.LayerType})", e.Reason);
    }
}
