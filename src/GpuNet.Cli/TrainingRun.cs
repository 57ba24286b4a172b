using GpuNet.Backends;
using System.Globalization;
using System.Text;
using GpuNet.Accelerators;
using GpuNet.Config;
using GpuNet.Data;
using GpuNet.Data.Augmentation;
using GpuNet.Ensembles;
using GpuNet.Layers;
using GpuNet.Models;
using GpuNet.Reports;
using GpuNet.Serialization;
using GpuNet.Training;

namespace GpuNet.Cli;

/// <summary>Where a run goes and what it starts from: shared by gpunet train and gpunet reproduce.</summary>
internal sealed record RunSettings(string RunsRoot, string? Resume, string? DataDirectory, string? Backend);

/// <summary>
/// Trains a config as gpunet train does: one network in its run folder, or an ensemble whose
/// members (seeds seed, seed + 1, …) each get a folder inside the run's, followed by the vote.
/// </summary>
internal static class TrainingRun
{
    public static TrainingOutcome Execute(RunConfig config, RunSettings settings)
    {
        if (config.Ensemble is not null && settings.Resume is not null)
            throw new GpuNetException($"{settings.Resume}: --resume continues one network; an ensemble run is " +
                "started again (its members' folders keep their checkpoints)");
        // The model's own sizes need no data: a model too large to build fails before the data is read.
        ModelGraph model = config.CreateModel().Build();
        var (fullTrain, test) = DatasetLoader.Load(config.Dataset, settings.DataDirectory, Console.Out);
        var (train, validation) = config.Validation.Select(fullTrain, test, config.TrainingRange);
        using var accelerator = AcceleratorFactory.Create(settings.Backend ?? config.Backend, Console.Out);
        CheckBeforeTraining(config, model, accelerator, train, validation, test);

        if (config.Ensemble is not { } ensemble)
        {
            RunFolder folder = settings.Resume is { } resume ? RunFolder.Open(resume)
                : CreateRunFolder(settings.RunsRoot, config);
            MemberOutcome single = TrainMember(config, config.Seed, folder, resuming: settings.Resume is not null,
                accelerator, train, validation, test, settings, member: null);
            return new TrainingOutcome(config.Name, folder.Path, [single], null);
        }

        RunFolder parent = CreateRunFolder(settings.RunsRoot, config);
        var members = new List<MemberOutcome>();
        for (int m = 0; m < ensemble.Members; m++)
        {
            Console.WriteLine($"Ensemble member {m + 1} of {ensemble.Members}");
            RunFolder folder = RunFolder.CreateMember(parent, $"member-{m + 1}");
            AtomicFile.WriteAllText(folder.ConfigFile, config.SourceText);
            members.Add(TrainMember(config, config.Seed + (ulong)m, folder, resuming: false, accelerator, train,
                validation, test, settings, member: m + 1));
        }
        int[] votes = EnsembleDecision.Predict(members.Select(m => m.DecisionOutputs).ToList(), test.ClassCount,
            ensemble.Vote);
        float accuracy = EnsembleDecision.Accuracy(votes, test.Labels);
        string summary = EnsembleSummary(config, ensemble, members, accuracy);
        AtomicFile.WriteAllText(Path.Combine(parent.Path, "ensemble.md"), summary);
        Console.WriteLine();
        Console.Write(summary);
        return new TrainingOutcome(config.Name, parent.Path, members, accuracy);
    }

    /// <summary>
    /// Every check that needs no training, before a run folder exists: the model against the data's
    /// shape and classes, and every buffer the training will allocate against what one buffer can
    /// index and what the machine has.
    /// </summary>
    private static void CheckBeforeTraining(RunConfig config, ModelGraph model, IAccelerator accelerator, Dataset train,
        Dataset? validation, Dataset test)
    {
        try
        {
            foreach (Dataset data in new[] { train, validation, test }.OfType<Dataset>())
                Trainer.CheckFits(model, data);
        }
        catch (GpuNetException e)
        {
            throw new GpuNetException($"{config.SourceFile}: {e.Message}");
        }
        int trainingSamples = config.Augmentation is { Mode: AugmentationMode.Expand } expand
            ? train.Count * (expand.Copies + 1)
            : train.Count;
        try
        {
            var footprint = ModelFootprint.Of(model, accelerator, config.CreateOptimizer(), config.BatchSize,
                trainingSamples);
            if (accelerator.DeviceMemoryBytes is long device)
                footprint.CheckFits(device, $"of memory on the {accelerator.Name} device");
            else footprint.CheckFits(HostMemory.AvailableBytes(), HostMemory.Description);
        }
        catch (LayerException e)
        {
            throw config.AtLayerLine(e);
        }
    }

    private static RunFolder CreateRunFolder(string root, RunConfig config) =>
        RunFolder.Create(root, config.Name, DateTime.Now, config.SourceText);

    private static MemberOutcome TrainMember(RunConfig config, ulong seed, RunFolder folder, bool resuming,
        IAccelerator accelerator, Dataset train, Dataset? validation, Dataset test, RunSettings settings, int? member)
    {
        using var trainer = new Trainer(config.CreateModel(), config.Loss, config.CreateOptimizer(), accelerator, seed);
        IReadOnlyList<TrainingCallback> configured = config.CreateCallbacks();
        var history = new History();
        int initialEpoch = 0;
        EpochProgress? resumeAt = null;
        if (resuming)
        {
            Checkpoint checkpoint = Checkpoint.Load(folder);
            checkpoint.Restore(trainer, configured, folder.CheckpointFile);
            history = checkpoint.History;
            initialEpoch = checkpoint.Epoch;
            resumeAt = checkpoint.Progress;
            Console.WriteLine(resumeAt is null
                ? $"Resuming {folder.Path} after epoch {initialEpoch} (step {trainer.Iterations:N0})"
                : $"Resuming {folder.Path} in epoch {resumeAt.Epoch} after its step {resumeAt.StepsDone} of " +
                  $"{resumeAt.StepsPerEpoch} (step {trainer.Iterations:N0})");
            if (initialEpoch >= config.Epochs)
                throw new GpuNetException($"{folder.Path}: the run already finished epoch " +
                    $"{initialEpoch} of {config.Epochs}; pass --epochs N with N > {initialEpoch} to train further");
        }

        Dataset trainingSet = train;
        if (config.Augmentation is { } augmentation)
        {
            if (augmentation.Mode == AugmentationMode.Expand) trainingSet = augmentation.Expand(train, seed);
            else trainer.Augmentation = augmentation;
            Console.WriteLine($"Augmentation: {augmentation}");
        }

        Console.WriteLine($"Training {config.Name} on {accelerator.Description}: " +
                          $"{trainer.Model.TrainableParameterCount:N0} trainable parameters, " +
                              $"{config.Loss.Name}, {trainer.Optimizer.Name} " +
                          $"lr {trainer.Optimizer.LearningRate.ToString(CultureInfo.InvariantCulture)}, " +
                          $"batch {config.BatchSize}, {config.Epochs} epochs, seed {seed}");
        Console.WriteLine($"Data: {config.Dataset}, {trainingSet.Count:N0} training and {(validation is null ? "no"
            : validation.Count.ToString("N0",
                CultureInfo.InvariantCulture))} validation samples; run folder {folder.Path}");

        if (resumeAt is { } at && (at.BatchSize != config.BatchSize || at.TrainingSamples != trainingSet.Count))
            throw new GpuNetException($"{folder.CheckpointFile}: the run stopped in the middle of epoch {at.Epoch} " +
                $"with batch size {at.BatchSize} and {at.TrainingSamples:N0} training samples, so it resumes only " +
                $"with the same; this run has batch size {config.BatchSize} and {trainingSet.Count:N0} samples");

        var checkpoints = new CheckpointCallback(folder, config.SourceText, history, configured,
            config.CheckpointEvery);
        var progress = new KerasProgressBar(Console.Out, live: !Console.IsOutputRedirected);
        try
        {
            using (StopSignals.StopAfterStep(trainer))
                trainer.Fit(trainingSet, config.Epochs, config.BatchSize, validation,
                    [progress, .. configured, checkpoints], initialEpoch, history, resumeAt);
        }
        catch (TrainingDivergedException e)
        {
            string kept = checkpoints.LastSavedEpoch > 0
                ? $"The checkpoint of epoch {checkpoints.LastSavedEpoch} in {folder.Path} is kept."
                : "No epoch had finished, so there is no checkpoint.";
            throw new GpuNetException($"{e.Message} {kept}");
        }
        if (trainer.Interrupted) throw Interruption(config, settings, folder, checkpoints, member);
        trainer.SaveWeights(folder.WeightsFile);
        foreach (EarlyStopping stop in configured.OfType<EarlyStopping>().Where(s => s.StoppedEpoch > 0))
            Console.WriteLine($"Epoch {stop.StoppedEpoch}: early stopping (best " +
                $"{stop.Monitor} {stop.Best.ToString("0.0000",
                    CultureInfo.InvariantCulture)} at epoch {stop.BestEpoch})");

        // The report's training figures are on the images as given, not the augmented ones.
        RunReport report = RunReport.Collect(trainer, config, history.Epochs, train, test);
        PrintPerformance("training", report.Training);
        PrintPerformance("testing", report.Testing);
        foreach (var (degrees, result) in report.RotatedTests)
            PrintPerformance($"testing, rotated by {degrees.ToString("0.#", CultureInfo.InvariantCulture)}°", result);
        if (report.TestTimeAugmentation is { } tta)
        {
            Console.WriteLine($"Performance (testing, averaged over rotations {string.Join(", ",
                tta.Rotations.Select(a => a.ToString("0.#", CultureInfo.InvariantCulture) + "°"))})");
            Console.WriteLine($"  Accuracy: {tta.Accuracy.ToString("0.00000", CultureInfo.InvariantCulture)}");
        }
        Console.WriteLine($"Weights: {folder.WeightsFile}");
        Console.WriteLine($"Report: {RunReportWriter.Write(folder.Path, report)}");
        return new MemberOutcome(seed, folder.Path, history.Epochs.Count, history.Epochs.Sum(e => e.Seconds),
            report.Testing,
            report.TestTimeAugmentation?.Accuracy, report.TestTimeAugmentation?.Outputs ?? report.TestOutputs);
    }

    private static RunInterruptedException Interruption(RunConfig config, RunSettings settings, RunFolder folder,
        CheckpointCallback checkpoints, int? member)
    {
        string signal = StopSignals.Received ?? "a stop request";
        string where = checkpoints.LastSavedProgress is { } at
            ? $"in epoch {at.Epoch} after step {at.StepsDone} of {at.StepsPerEpoch}"
            : $"after epoch {checkpoints.LastSavedEpoch}";
        string next = member is null
            ? $"resume with: {ResumeCommand(config, settings, folder.Path)}"
            : $"that was ensemble member {member}; an ensemble is not resumed but started again";
        return new RunInterruptedException($"Stopped by {signal} {where}; checkpoint saved in {folder.Path}; {next}",
            StopSignals.ExitCode);
    }

    /// <summary>The command that carries on this run: its folder, and every option that changed what the config file
    /// says.</summary>
    private static string ResumeCommand(RunConfig config, RunSettings settings, string folder)
    {
        RunConfig written = RunConfigReader.Read(config.SourceFile, config.SourceText);
        var words = new List<string> { "gpunet", "train", "--resume", ShellWord(folder) };
        if (settings.DataDirectory is { } data) words.AddRange(["--data", ShellWord(data)]);
        if (settings.Backend is { } backend) words.AddRange(["--backend", backend]);
        if (config.Epochs != written.Epochs) words.AddRange(["--epochs", Invariant(config.Epochs)]);
        if (config.BatchSize != written.BatchSize) words.AddRange(["--batch-size", Invariant(config.BatchSize)]);
        if (config.Seed != written.Seed) words.AddRange(["--seed", Invariant(config.Seed)]);
        return string.Join(' ', words);
    }

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    // Quoted for a POSIX shell where it holds anything but the characters of a plain path.
    private static string ShellWord(string word) =>
        word.All(c => char.IsLetterOrDigit(c) || c is '/' or '.' or '-' or '_' or ':' or '+' or ',')
            ? word
            : $"'{word.Replace("'", "'\\''")}'";

    private static string EnsembleSummary(RunConfig config, EnsembleSettings ensemble,
        IReadOnlyList<MemberOutcome> members, float accuracy)
    {
        bool testTime = members.Any(m => m.TestTimeAccuracy is not null);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Ensemble of {members.Count} × {config.Name}, {ensemble.Vote.ToString().ToLowerInvariant()} vote{(testTime
                ? ", each member's outputs averaged over the test-time rotations" : "")}");
        text.AppendLine();
        text.AppendLine(testTime ? "| member | seed | epochs | seconds | test accuracy | with test-time augmentation |"
            : "| member | seed | epochs | seconds | test accuracy |");
        text.AppendLine(testTime ? "|---|---:|---:|---:|---:|---:|" : "|---|---:|---:|---:|---:|");
        foreach (MemberOutcome m in members)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| {Path.GetFileName(m.Folder)} | {m.Seed} | {m.Epochs} | {m.TrainingSeconds:0.#} | " +
                $"{m.Test.Accuracy:P2} |");
            if (testTime) text.Append(CultureInfo.InvariantCulture, $" {m.TestTimeAccuracy:P2} |");
            text.AppendLine();
        }
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| **ensemble** | | | {members.Sum(m => m.TrainingSeconds):0.#} | **{accuracy:P2}** |{(testTime ? " |"
                : "")}");
        return text.ToString();
    }

    internal static void PrintPerformance(string set, EvaluationResult result)
    {
        Console.WriteLine($"Performance ({set})");
        Console.WriteLine($"  Loss: {result.Loss.ToString("0.00000", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"  Accuracy: {result.Accuracy.ToString("0.00000", CultureInfo.InvariantCulture)}");
    }
}
