using System.Text.Json;
using GpuNet.Accelerators.Cpu;
using GpuNet.Data;
using GpuNet.Layers;
using GpuNet.Losses;
using GpuNet.Models;
using GpuNet.Optimizers;
using GpuNet.Tests.Training;
using GpuNet.Training;

namespace GpuNet.Tests.Fuzzing;

/// <summary>Valid files the fuzzer starts from, beside the committed configs.</summary>
internal static class FuzzSeeds
{
    public static Dataset Train => MnistSubset.Train(60);

    public static Dataset Validation => MnistSubset.Test(20);

    /// <summary>A config in JSON, which YAML includes.</summary>
    public const string JsonConfig = """
        {"name": "json", "model": {"input_shape": [28, 28, 1], "layers": [
          {"Conv2D": {"filters": 4, "kernel_size": [3, 3], "strides": 1, "padding": "same", "activation": "relu"}},
          {"MaxPooling2D": {"pool_size": 2}}, {"Flatten": null}, {"Dropout": {"rate": 0.25}},
          {"Dense": {"units": 10, "activation": "softmax", "kernel_regularizer": {"l2": 0.001}}}]},
         "loss": "categorical_crossentropy", "optimizer": {"Adam": {"lr": 0.001}}, "batch_size": 32,
        """ + " \"epochs\": 2, \"seed\": 7,\n" + """
         "validation_split": 0.1, "callbacks": [{"EarlyStopping": {"monitor": "val_loss", "patience": 2}}],
         "checkpoint_every": {"steps": 100}}
        """;

    /// <summary>A model with explicit weights (Keras's weights=[kernel, bias]) for the list readers.</summary>
    public const string ConfigWithWeights = """
        model:
          input_shape: [2]
          layers:
            - Dense: {units: 3, activation: relu, weights: [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [0, 0.5, 1]]}
            - Dense: {units: 10, activation: softmax}
        loss: mean_squared_error
        optimizer: {RMSprop: {learning_rate: 0.001, rho: 0.9}}
        """;

    /// <summary>A config that uses most of the keys and layers there are, so mutations reach their readers.</summary>
    public const string ConfigWithEveryKey = """
        name: every-key
        dataset: mnist
        model:
          input_shape: [28, 28]
          layers:
            - Reshape: {target_shape: [28, 28, 1]}
            - Conv2D: {filters: 3, kernel_size: 5, strides: [1, 1], padding: valid, use_bias: true,
        """ + " kernel_initializer: he_normal}\n" + """
            - LeakyReLU: {alpha: 0.1}
            - AveragePooling2D: {pool_size: [2, 2], strides: null}
            - BatchNormalization: {momentum: 0.9, epsilon: 0.001, axis: -1}
            - L2Pooling2D
            - Flatten
            - Dense: {units: 8, activation: tanh, kernel_regularizer: {l1: 0.0001}}
            - PReLU
            - Activation: {activation: sigmoid}
            - Dense: {units: 10, activation: softmax}
        loss: categorical_crossentropy
        optimizer: {SGD: {lr: 0.1, momentum: 0.9, nesterov: true, decay: 0.0001}}
        metrics: [accuracy]
        batch_size: 16
        epochs: 3
        seed: 5
        callbacks:
          - StepDecay: {drop: 0.5, epochs_drop: 2}
          - ExponentialDecay: {decay_steps: 100, decay_rate: 0.9, staircase: true}
        validation_data: [50000, 60000]
        training_range: [0, 50000]
        backend: cpu
        augmentation:
          mode: expand
          copies: 1
          transforms:
            - RandomRotation: {ranges: [[5, 25], [-25, -5]]}
            - RandomShift: {pixels: 1, directions: four}
            - ElasticDistortion: {alpha: 34, sigma: 4}
            - RandomCrop: {padding: 2}
        ensemble: {members: 2, vote: mean}
        test_time_augmentation: {rotations: [-5, 0, 5]}
        rotated_test: [10]
        checkpoint_every: {minutes: 15}
        """;

    public static Trainer CheckpointTrainer() =>
        new(new Sequential([784], [new DenseLayer(4, "relu"), new DenseLayer(10, "softmax")]),
            Loss.CategoricalCrossEntropy, new Adam(), new CpuAccelerator(), seed: 3);

    public static IReadOnlyList<TrainingCallback> CheckpointCallbacks() =>
        [new EarlyStopping("val_loss", patience: 3, restoreBestWeights: true)];

    /// <summary>Two checkpoints of one folder, after epoch 1 and in the middle of epoch 2; the folder keeps both
    /// weights files.</summary>
    public static (RunFolder Folder, IReadOnlyList<byte[]> Seeds) Checkpoints(string root)
    {
        var folder = RunFolder.Create(root, "fuzz", DateTime.UnixEpoch, "config");
        using var trainer = CheckpointTrainer();
        var callbacks = CheckpointCallbacks();
        var history = new History();
        trainer.Fit(Train, 1, 50, Validation,
            [.. callbacks, new CheckpointCallback(folder, "config", history, callbacks)], 0, history);
        byte[] epochEnd = File.ReadAllBytes(folder.CheckpointFile);
        string kept = folder.Combine("kept.safetensors");
        File.Copy(Directory.GetFiles(folder.Path, "checkpoint-epoch*.safetensors").Single(), kept);
        trainer.Fit(Train, 2, 50, Validation,
            [.. callbacks, new StopAtIteration(trainer, 3),
                new CheckpointCallback(folder, "config", history, callbacks)], 1, history);
        byte[] midEpoch = File.ReadAllBytes(folder.CheckpointFile);
        // The epoch-end checkpoint names its weights file, which the mid-epoch one replaced: put it back beside.
        File.Move(kept,
            Path.Combine(folder.Path,
                JsonDocument.Parse(epochEnd).RootElement.GetProperty("state").GetProperty("weights_file")
                    .GetString()!));
        return (folder, [epochEnd, midEpoch]);
    }
}
