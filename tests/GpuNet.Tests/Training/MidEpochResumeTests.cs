using GpuNet.Accelerators.Cpu;
using GpuNet.Accelerators.Ilgpu;
using GpuNet.Data;
using GpuNet.Data.Augmentation;
using GpuNet.Layers;
using GpuNet.Losses;
using GpuNet.Models;
using GpuNet.Optimizers;
using GpuNet.Training;

namespace GpuNet.Tests.Training;

/// <summary>
/// A run stopped in the middle of an epoch — by a stop request, or by a crash after a scheduled
/// checkpoint — and resumed from its checkpoint ends bit for bit where the run that was never
/// stopped ends, for every optimizer: weights first (so a lost step count shows in the weights,
/// through the dropout masks and the optimizers' step-dependent factors), then the step count and
/// every epoch's logged figures.
/// </summary>
public sealed class MidEpochResumeTests : IDisposable
{
    private const int Epochs = 4, BatchSize = 40, StepsPerEpoch = 15;

    private static readonly Dataset Train = MnistSubset.Train(600);
    private static readonly Dataset Validation = MnistSubset.Test(200);

    private readonly string _root = Directory.CreateTempSubdirectory("gpunet-midepoch-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    public static TheoryData<string> Optimizers => ["SGD", "SGD-momentum", "SGD-nesterov", "Adagrad", "Adadelta",
        "RMSprop", "Adam", "Adamax", "Nadam"];

    private static Optimizer CreateOptimizer(string name) => name switch
    {
        "SGD" => new Sgd(0.1f, decay: 0.01f),
        "SGD-momentum" => new Sgd(0.05f, momentum: 0.9f),
        "SGD-nesterov" => new Sgd(0.05f, momentum: 0.9f, nesterov: true),
        "Adagrad" => new Adagrad(0.05f),
        "Adadelta" => new Adadelta(),
        "RMSprop" => new Rmsprop(),
        "Adam" => new Adam(),
        "Adamax" => new Adamax(),
        "Nadam" => new Nadam(),
        _ => throw new ArgumentException(name),
    };

    // The schedules and early stopping differ per optimizer so that each kind of callback state crosses a resume
    // somewhere.
    private static IReadOnlyList<TrainingCallback> CreateCallbacks(string optimizer) => optimizer switch
    {
        "Adam" => [new ExponentialDecay(7, 0.8f),
            new EarlyStopping("val_loss", patience: 1, minDelta: 0.12f, restoreBestWeights: true)],
        "SGD-momentum" => [new StepDecay(0.5f, 2), new EarlyStopping("val_accuracy", patience: 1, minDelta: 0.05f)],
        _ => [],
    };

    private static Trainer NewTrainer(string optimizer) =>
        new(new Sequential([784], [new DenseLayer(24, "tanh"), new DropoutLayer(0.2f), new DenseLayer(10, "softmax")]),
            Loss.CategoricalCrossEntropy, CreateOptimizer(optimizer), new CpuAccelerator(), seed: 5);

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Run_stopped_in_the_middle_of_an_epoch_resumes_bit_for_bit(string optimizer)
    {
        using var straight = NewTrainer(optimizer);
        var straightCallbacks = CreateCallbacks(optimizer);
        History expected = straight.Fit(Train, Epochs, BatchSize, Validation, straightCallbacks);
        // Where early stopping is on, it stops the run after epoch 3, after the resume point.
        foreach (EarlyStopping stop in straightCallbacks.OfType<EarlyStopping>()) Assert.Equal(3, stop.StoppedEpoch);

        // Stop after step 22: the 7th of epoch 2.
        var folder = RunFolder.Create(_root, optimizer, DateTime.UnixEpoch, "config");
        using (var first = NewTrainer(optimizer))
        {
            var callbacks = CreateCallbacks(optimizer);
            var history = new History();
            first.Fit(Train, Epochs, BatchSize, Validation,
                [.. callbacks, new StopAtIteration(first, 22),
                    new CheckpointCallback(folder, "config", history, callbacks)], 0, history);
            Assert.True(first.Interrupted);
            Assert.Equal(22, first.Iterations);
        }

        Checkpoint checkpoint = Checkpoint.Load(folder);
        Assert.Equal(1, checkpoint.Epoch);
        Assert.Equal(new { Epoch = 2, StepsDone = 7, SamplesSeen = 7 * BatchSize },
            new { checkpoint.Progress!.Epoch, checkpoint.Progress.StepsDone, checkpoint.Progress.SamplesSeen });
        var (resumed, resumedCallbacks, actual) = Resume(optimizer, checkpoint, folder);
        using (resumed)
            AssertSameRun(straight, straightCallbacks, expected, resumed, resumedCallbacks, actual);
    }

    /// <summary>
    /// On an ILGPU accelerator the loss is read every 25 steps, so the stop lands inside a read
    /// window: the window is closed at the step the stop ends, and the checkpoint is of that step.
    /// </summary>
    [Fact]
    public void Run_stopped_inside_a_metrics_window_on_ilgpu_cpu_resumes_bit_for_bit()
    {
        Dataset train = MnistSubset.Train(200), validation = MnistSubset.Test(80);
        Trainer OnIlgpu() =>
            new(new Sequential([784],
                [new DenseLayer(12, "tanh"), new DropoutLayer(0.2f), new DenseLayer(10, "softmax")]),
            Loss.CategoricalCrossEntropy, new Adam(), new IlgpuAccelerator(IlgpuBackend.Cpu), seed: 5);
        using var straight = OnIlgpu();
        Assert.True(straight.Accelerator.StepsPerMetricsRead > StepsPerEpochSmall);
        History expected = straight.Fit(train, 3, BatchSize, validation, []);

        // Stop after step 7: the 2nd of epoch 2, inside the read window that began with the epoch.
        var folder = RunFolder.Create(_root, "ilgpu", DateTime.UnixEpoch, "config");
        using (var first = OnIlgpu())
        {
            var history = new History();
            first.Fit(train, 3, BatchSize, validation,
                [new StopAtIteration(first, 7), new CheckpointCallback(folder, "config", history, [])], 0, history);
            Assert.True(first.Interrupted);
            Assert.Equal(7, first.Iterations);
        }
        Checkpoint checkpoint = Checkpoint.Load(folder);
        Assert.Equal((2, 2, 2 * BatchSize),
            (checkpoint.Progress!.Epoch, checkpoint.Progress.StepsDone, checkpoint.Progress.SamplesSeen));
        using var resumed = OnIlgpu();
        checkpoint.Restore(resumed, [], folder.CheckpointFile);
        History actual = resumed.Fit(train, 3, BatchSize, validation, [], checkpoint.Epoch, checkpoint.History,
            checkpoint.Progress);
        AssertSameRun(straight, [], expected, resumed, [], actual);
    }

    private const int StepsPerEpochSmall = 5;

    [Fact]
    public void Scheduled_checkpoint_in_the_middle_of_an_epoch_survives_a_crash_and_resumes_bit_for_bit()
    {
        const string optimizer = "Adam";
        using var straight = NewTrainer(optimizer);
        var straightCallbacks = CreateCallbacks(optimizer);
        History expected = straight.Fit(Train, Epochs, BatchSize, Validation, straightCallbacks);

        // Checkpoints every 4 steps; the run dies (a callback throws) in step 27, so the last one is of step 24: epoch
        // 2, step 9.
        var folder = RunFolder.Create(_root, "scheduled", DateTime.UnixEpoch, "config");
        using (var first = NewTrainer(optimizer))
        {
            var callbacks = CreateCallbacks(optimizer);
            var history = new History();
            Assert.Throws<IOException>(() => first.Fit(Train, Epochs, BatchSize, Validation,
                [.. callbacks,
                    new CheckpointCallback(folder, "config", history, callbacks, CheckpointSchedule.EverySteps(4)),
                        new CrashAtIteration(26)],
                0, history));
        }
        Checkpoint checkpoint = Checkpoint.Load(folder);
        Assert.Equal(24, checkpoint.Iterations);
        Assert.Equal((2, 9), (checkpoint.Progress!.Epoch, checkpoint.Progress.StepsDone));
        Assert.Single(Directory.GetFiles(folder.Path, "checkpoint-epoch*.safetensors"));
        var (resumed, resumedCallbacks, actual) = Resume(optimizer, checkpoint, folder);
        using (resumed)
            AssertSameRun(straight, straightCallbacks, expected, resumed, resumedCallbacks, actual);
    }

    [Fact]
    public void Run_with_augmentation_on_the_fly_resumes_bit_for_bit_from_the_middle_of_an_epoch()
    {
        // Every draw is a function of (seed, epoch, sample), so the prefetcher may start anywhere in the epoch.
        Trainer Augmented()
        {
            Trainer trainer = NewTrainer("Adam");
            trainer.Augmentation = new Augmentation([new RandomShift(2, fourDirections: false),
                new RandomRotation([(-10, 10)])], AugmentationMode.OnTheFly, copies: 1);
            return trainer;
        }
        using var straight = Augmented();
        History expected = straight.Fit(Train, 2, BatchSize, Validation, []);

        var folder = RunFolder.Create(_root, "augmented", DateTime.UnixEpoch, "config");
        using (var first = Augmented())
        {
            var history = new History();
            first.Fit(Train, 2, BatchSize, Validation,
                [new StopAtIteration(first, 20), new CheckpointCallback(folder, "config", history, [])], 0, history);
        }
        Checkpoint checkpoint = Checkpoint.Load(folder);
        Assert.Equal((2, 5), (checkpoint.Progress!.Epoch, checkpoint.Progress.StepsDone));
        using var resumed = Augmented();
        checkpoint.Restore(resumed, [], folder.CheckpointFile);
        History actual = resumed.Fit(Train, 2, BatchSize, Validation, [], checkpoint.Epoch, checkpoint.History,
            checkpoint.Progress);
        AssertSameRun(straight, [], expected, resumed, [], actual);
    }

    [Fact]
    public void Stop_requested_in_the_last_step_of_an_epoch_lets_the_epoch_end_and_stops_after_it()
    {
        var folder = RunFolder.Create(_root, "last-step", DateTime.UnixEpoch, "config");
        using var trainer = NewTrainer("SGD");
        var history = new History();
        var checkpoints = new CheckpointCallback(folder, "config", history, []);
        trainer.Fit(Train, Epochs, BatchSize, Validation, [new StopAtIteration(trainer, StepsPerEpoch), checkpoints], 0,
            history);
        Assert.True(trainer.Interrupted);
        Assert.Single(history.Epochs);
        Checkpoint checkpoint = Checkpoint.Load(folder);
        Assert.Equal(1, checkpoint.Epoch);
        Assert.Null(checkpoint.Progress);
        Assert.Equal(StepsPerEpoch, checkpoint.Iterations);
    }

    [Fact]
    public void Resume_with_another_batch_size_is_refused_by_name()
    {
        var folder = RunFolder.Create(_root, "batch", DateTime.UnixEpoch, "config");
        using (var first = NewTrainer("Adam"))
            first.Fit(Train, Epochs, BatchSize, null,
                [new StopAtIteration(first, 3), new CheckpointCallback(folder, "config", new History(), [])]);
        Checkpoint checkpoint = Checkpoint.Load(folder);
        using var resumed = NewTrainer("Adam");
        checkpoint.Restore(resumed, [], folder.CheckpointFile);
        var error = Assert.Throws<GpuNetException>(() =>
            resumed.Fit(Train, Epochs, 50, null, [], checkpoint.Epoch, checkpoint.History, checkpoint.Progress));
        Assert.Contains("batch size 40", error.Message);
        Assert.Contains("batch size 50", error.Message);
    }

    private static (Trainer, IReadOnlyList<TrainingCallback>, History) Resume(string optimizer, Checkpoint checkpoint,
        RunFolder folder)
    {
        var resumed = NewTrainer(optimizer);
        var callbacks = CreateCallbacks(optimizer);
        checkpoint.Restore(resumed, callbacks, folder.CheckpointFile);
        History history = resumed.Fit(Train, Epochs, BatchSize, Validation, callbacks, checkpoint.Epoch,
            checkpoint.History, checkpoint.Progress);
        return (resumed, callbacks, history);
    }

    private static void AssertSameRun(Trainer straight, IReadOnlyList<TrainingCallback> straightCallbacks,
        History expected, Trainer resumed, IReadOnlyList<TrainingCallback> resumedCallbacks, History actual)
    {
        var expectedWeights = straight.GetWeights();
        var actualWeights = resumed.GetWeights();
        for (int i = 0; i < expectedWeights.Count; i++)
            Assert.True(expectedWeights[i].Values.AsSpan().SequenceEqual(actualWeights[i].Values),
                $"{expectedWeights[i].Name} differs");
        var expectedState = straight.GetOptimizerState();
        var actualState = resumed.GetOptimizerState();
        for (int i = 0; i < expectedState.Count; i++)
            Assert.True(expectedState[i].Values.AsSpan().SequenceEqual(actualState[i].Values),
                $"{expectedState[i].Name} differs");
        Assert.Equal(straight.Iterations, resumed.Iterations);
        Assert.Equal(straight.Optimizer.LearningRate, resumed.Optimizer.LearningRate);
        Assert.Equal(expected.Epochs.Count, actual.Epochs.Count);
        for (int e = 0; e < expected.Epochs.Count; e++)
        {
            EpochLogs x = expected.Epochs[e], y = actual.Epochs[e];
            Assert.Equal((x.Epoch, x.Loss, x.Accuracy, x.ValidationLoss, x.ValidationAccuracy, x.LearningRate),
                (y.Epoch, y.Loss, y.Accuracy, y.ValidationLoss, y.ValidationAccuracy, y.LearningRate));
            Assert.Equal(x.GradientNorms.Select(g => g.Norm), y.GradientNorms.Select(g => g.Norm));
        }
        var expectedStops = straightCallbacks.OfType<EarlyStopping>().Select(s => (s.StoppedEpoch, s.BestEpoch,
            s.Best));
        Assert.Equal(expectedStops,
            resumedCallbacks.OfType<EarlyStopping>().Select(s => (s.StoppedEpoch, s.BestEpoch, s.Best)));
    }

    /// <summary>Fails the run in the step after <paramref name="iterationsDone"/> steps, as a full disk or a killed
    /// process would.</summary>
    private sealed class CrashAtIteration(long iterationsDone) : TrainingCallback
    {
        public override void OnBatchBegin(int epoch, int step, long iteration)
        {
            if (iteration == iterationsDone) throw new IOException("the machine went away");
        }
    }
}
