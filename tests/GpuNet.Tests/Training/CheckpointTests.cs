using System.Buffers.Binary;
using System.Text.Json;
using GpuNet.Accelerators.Cpu;
using GpuNet.Layers;
using GpuNet.Losses;
using GpuNet.Models;
using GpuNet.Optimizers;
using GpuNet.Serialization;
using GpuNet.Training;

namespace GpuNet.Tests.Training;

/// <summary>Checkpoints: exact resume, refusal of damaged or foreign checkpoints, and writes that never destroy the
/// last good one.</summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("gpunet-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static Sequential Model(int hidden = 24) =>
        new([784], [new DenseLayer(hidden, "tanh"), new DenseLayer(10, "softmax")]);

    private static Trainer NewTrainer(Optimizer optimizer, int hidden = 24) =>
        new(Model(hidden), Loss.CategoricalCrossEntropy, optimizer, new CpuAccelerator(), seed: 9);

    /// <summary>Trains with a checkpoint after every epoch; returns the folder.</summary>
    private RunFolder TrainWithCheckpoints(Trainer trainer, int epochs, IReadOnlyList<TrainingCallback> callbacks,
        string name = "run")
    {
        var folder = RunFolder.Create(_root, name, DateTime.UnixEpoch, "config text");
        var history = new History();
        var checkpoints = new CheckpointCallback(folder, "config text", history, callbacks);
        trainer.Fit(MnistSubset.Train(600), epochs, batchSize: 40, MnistSubset.Test(200), [.. callbacks, checkpoints],
            0, history);
        return folder;
    }

    [Theory]
    [InlineData("SGD")]
    [InlineData("SGD-momentum")]
    [InlineData("SGD-nesterov")]
    [InlineData("Adagrad")]
    [InlineData("Adadelta")]
    [InlineData("RMSprop")]
    [InlineData("Adam")]
    [InlineData("Adamax")]
    [InlineData("Nadam")]
    public void Resumed_run_ends_with_the_same_weights_bit_for_bit(string optimizerName)
    {
        Optimizer Create() => optimizerName switch
        {
            "SGD" => new Sgd(0.1f, decay: 0.01f),
            "SGD-momentum" => new Sgd(0.1f, momentum: 0.9f),
            "SGD-nesterov" => new Sgd(0.1f, momentum: 0.9f, nesterov: true),
            "Adagrad" => new Adagrad(),
            "Adadelta" => new Adadelta(),
            "RMSprop" => new Rmsprop(),
            "Adam" => new Adam(),
            "Adamax" => new Adamax(),
            _ => new Nadam(),
        };
        IReadOnlyList<TrainingCallback> Callbacks() => [new EarlyStopping("val_loss", patience: 5),
            new ExponentialDecay(7, 0.9f)];

        using var straight = NewTrainer(Create());
        straight.Fit(MnistSubset.Train(600), 4, 40, MnistSubset.Test(200), Callbacks());

        RunFolder folder;
        using (var first = NewTrainer(Create()))
            folder = TrainWithCheckpoints(first, 2, Callbacks());
        using var resumed = NewTrainer(Create());
        var callbacks = Callbacks();
        Checkpoint checkpoint = Checkpoint.Load(folder);
        checkpoint.Restore(resumed, callbacks, folder.CheckpointFile);
        Assert.Equal(2, checkpoint.Epoch);
        History history = resumed.Fit(MnistSubset.Train(600), 4, 40, MnistSubset.Test(200), callbacks, checkpoint.Epoch,
            checkpoint.History);

        // The weights first: a step count not restored must show in them (the optimizers' step-dependent factors), not
        // only in the count.
        var expected = straight.GetWeights();
        var actual = resumed.GetWeights();
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i].Values, actual[i].Values);
        Assert.Equal(4, history.Epochs.Count);
        Assert.Equal(straight.Iterations, resumed.Iterations);
    }

    [Fact]
    public void Weights_file_is_plain_safetensors()
    {
        using var trainer = NewTrainer(new Sgd(0.1f));
        string path = Path.Combine(_root, "w.safetensors");
        trainer.SaveWeights(path);
        // Read it the way a numpy user would: length, JSON header, raw little-endian floats.
        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + headerLength) % 8);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        JsonElement kernel = header.RootElement.GetProperty("dense/kernel");
        Assert.Equal("F32", kernel.GetProperty("dtype").GetString());
        Assert.Equal([784, 24], kernel.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        long begin = kernel.GetProperty("data_offsets")[0].GetInt64();
        float first = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + headerLength + (int)begin));
        Assert.Equal(trainer.GetWeights()[0].Values[0], first);
    }

    [Fact]
    public void Truncated_weights_are_refused_by_name()
    {
        using var trainer = NewTrainer(new Adam());
        RunFolder folder = TrainWithCheckpoints(trainer, 1, []);
        string weights = Directory.GetFiles(folder.Path, "checkpoint-epoch*.safetensors").Single();
        byte[] bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<GpuNetException>(() => Checkpoint.Load(folder));
        Assert.Contains(Path.GetFileName(weights), error.Message);
        Assert.Contains("truncated or altered", error.Message);
        // The safetensors reader alone also refuses it, naming what is wrong.
        var direct = Assert.Throws<GpuNetException>(() => SafeTensorsFile.Read(weights));
        Assert.Contains("not a valid safetensors file", direct.Message);
    }

    [Fact]
    public void Bit_flipped_weights_are_refused()
    {
        using var trainer = NewTrainer(new Adam());
        RunFolder folder = TrainWithCheckpoints(trainer, 1, []);
        string weights = Directory.GetFiles(folder.Path, "checkpoint-epoch*.safetensors").Single();
        byte[] bytes = File.ReadAllBytes(weights);
        bytes[^100] ^= 0x10;
        File.WriteAllBytes(weights, bytes);
        var error = Assert.Throws<GpuNetException>(() => Checkpoint.Load(folder));
        Assert.Contains("does not match the SHA-256", error.Message);
    }

    [Fact]
    public void Bit_flipped_checkpoint_json_is_refused()
    {
        using var trainer = NewTrainer(new Adam());
        RunFolder folder = TrainWithCheckpoints(trainer, 1, []);
        string text = File.ReadAllText(folder.CheckpointFile);
        // "epoch":1 becomes "epoch":3: still valid JSON, but not what was written.
        File.WriteAllText(folder.CheckpointFile, text.Replace("\"epoch\":1,", "\"epoch\":3,"));
        var error = Assert.Throws<GpuNetException>(() => Checkpoint.Load(folder));
        Assert.Contains("checkpoint.json: damaged checkpoint", error.Message);
        File.WriteAllText(folder.CheckpointFile, text[..(text.Length - 20)]);
        Assert.Contains("damaged checkpoint", Assert.Throws<GpuNetException>(() => Checkpoint.Load(folder)).Message);
    }

    [Fact]
    public void Checkpoint_of_another_architecture_is_refused()
    {
        RunFolder folder;
        using (var trainer = NewTrainer(new Adam(), hidden: 24)) folder = TrainWithCheckpoints(trainer, 1, []);
        using var other = NewTrainer(new Adam(), hidden: 25);
        var error = Assert.Throws<GpuNetException>(() =>
            Checkpoint.Load(folder).Restore(other, [], folder.CheckpointFile));
        Assert.Contains("tensor 'dense/kernel' has shape (784, 24) but this model needs (784, 25)", error.Message);
    }

    [Fact]
    public void A_failing_write_leaves_the_previous_checkpoint_intact()
    {
        using var trainer = NewTrainer(new Adam());
        RunFolder folder = TrainWithCheckpoints(trainer, 1, []);
        string before = File.ReadAllText(folder.CheckpointFile);
        // A folder where the temporary file must go makes the next write fail part-way.
        Directory.CreateDirectory(folder.Combine($".checkpoint.json.{Environment.ProcessId}.tmp"));
        var failure = Assert.ThrowsAny<SystemException>(() =>
            Checkpoint.Save(folder, trainer, 2, new History(), [], "config text"));
        Assert.True(failure is IOException or UnauthorizedAccessException, failure.GetType().Name);
        Assert.Equal(before, File.ReadAllText(folder.CheckpointFile));
        Checkpoint survivor = Checkpoint.Load(folder);
        Assert.Equal(1, survivor.Epoch);
    }

    [Fact]
    public void Early_stopping_stops_on_its_own_and_restores_the_best_weights()
    {
        // A learning rate this high makes the validation loss worse after the first epochs.
        using var trainer = NewTrainer(new Sgd(3.0f));
        var stop = new EarlyStopping("val_loss", patience: 2, restoreBestWeights: true);
        History history = trainer.Fit(MnistSubset.Train(600), 30, 40, MnistSubset.Test(200), [stop]);
        Assert.True(stop.StoppedEpoch > 0 && stop.StoppedEpoch < 30, $"stopped at {stop.StoppedEpoch}");
        Assert.Equal(stop.StoppedEpoch, history.Epochs.Count);
        Assert.Equal(stop.BestEpoch + 2, stop.StoppedEpoch);
        Assert.Equal(stop.Best, history.Epochs.Min(e => e.ValidationLoss!.Value));
        Assert.Equal(stop.Best, trainer.Evaluate(MnistSubset.Test(200)).Loss, 5);
    }
}
