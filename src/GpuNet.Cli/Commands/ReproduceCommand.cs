using System.Globalization;
using System.Text;
using CommandLine;
using GpuNet.Config;
using GpuNet.Serialization;

namespace GpuNet.Cli.Commands;

[Verb("reproduce",
    HelpText = "Train every config of a folder (the lecture suite) and write a table of the lecture's accuracy " +
        "against ours.")]
public sealed class ReproduceOptions : DataOptionsBase
{
    [Value(0, MetaName = "FOLDER", Default = "configs/lectures",
        HelpText = "A folder of run configs, one experiment each, run in file-name order.")]
    public string Suite { get; set; } = "configs/lectures";

    [Option("only", HelpText = "Run only the experiments whose name contains this text.")]
    public string? Only { get; set; }

    [Option("max-epochs",
        HelpText = "Train no experiment for more than this many epochs (the table says how far each was run).")]
    public int? MaxEpochs { get; set; }

    [Option("runs", Default = "runs", HelpText = "The folder in which each experiment's run gets its own folder.")]
    public string RunsRoot { get; set; } = "runs";

    [Option("output", Default = "results",
        HelpText = "Folder for reproduce.md and reproduce.csv (rewritten after every experiment).")]
    public string Output { get; set; } = "results";
}

public static class ReproduceCommand
{
    private sealed record Row(RunConfig Config, int ConfiguredEpochs, TrainingOutcome? Outcome, string? Failure);

    public static int Run(ReproduceOptions options)
    {
        if (options.MaxEpochs is <= 0)
            throw new GpuNetException($"--max-epochs must be a positive integer, got {options.MaxEpochs}");
        if (!Directory.Exists(options.Suite))
            throw new GpuNetException($"{options.Suite}: experiment folder not found");
        // Every config is read before the first one trains, so a typo in the last fails at once, not an hour in.
        var configs = Directory.EnumerateFiles(options.Suite, "*.yaml").Order(StringComparer.Ordinal)
            .Select(RunConfigReader.ReadFile)
            .Where(c => options.Only is null || c.Name.Contains(options.Only, StringComparison.Ordinal))
            .ToList();
        if (configs.Count == 0) throw new GpuNetException($"{options.Suite}: no experiment matches");

        Directory.CreateDirectory(options.Output);
        var rows = new List<Row>();
        foreach (RunConfig config in configs)
        {
            int configured = config.Epochs;
            if (options.MaxEpochs is { } cap && config.Epochs > cap) config.Epochs = cap;
            Console.WriteLine($"== {config.Name} ({rows.Count + 1} of {configs.Count}) ==");
            try
            {
                rows.Add(new Row(config, configured,
                    TrainingRun.Execute(config,
                        new RunSettings(options.RunsRoot, null, options.DataDirectory, options.Backend)), null));
            }
            catch (GpuNetException e)
            {
                // One experiment that fails (a diverging learning rate, say) is a result too; the others still run.
                Console.WriteLine($"error: {e.Message}");
                rows.Add(new Row(config, configured, null, e.Message));
            }
            AtomicFile.WriteAllText(Path.Combine(options.Output, "reproduce.md"), Markdown(rows));
            AtomicFile.WriteAllText(Path.Combine(options.Output, "reproduce.csv"), Csv(rows));
        }
        Console.WriteLine();
        Console.Write(Markdown(rows));
        Console.WriteLine($"Wrote {Path.Combine(options.Output, "reproduce.md")} and reproduce.csv");
        return rows.Any(r => r.Failure is not null) ? 1 : 0;
    }

    private static string Markdown(IReadOnlyList<Row> rows)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Benchmarks.MachineDescription.Current()}");
        text.AppendLine();
        text.AppendLine("| experiment | lecture | ours | epochs | seconds | note |");
        text.AppendLine("|---|---:|---:|---:|---:|---|");
        foreach (Row row in rows)
        {
            string lecture = row.Config.Lecture is { } l ? l.Accuracy.ToString("P2", CultureInfo.InvariantCulture)
                + (l.Epochs is { } e ? $" ({e} ep.)" : "") : "—";
            if (row.Outcome is not { } o)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {row.Config.Name} | {lecture} | — | — | — | failed: {row.Failure} |");
                continue;
            }
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Config.Name} | {lecture} | **{o.TestAccuracy:P2}** | {Epochs(row)} | " +
                $"{o.TrainingSeconds:0} | {Note(row)} |");
        }
        return text.ToString();
    }

    private static string Csv(IReadOnlyList<Row> rows)
    {
        var text =
            new StringBuilder("experiment,lecture_accuracy,accuracy,epochs_run,epochs_configured,seconds,note\n");
        foreach (Row row in rows)
        {
            string note = (row.Failure is null ? Note(row) : "failed: " + row.Failure).Replace('"', '\'');
            text.Append(CultureInfo.InvariantCulture,
                $"{row.Config.Name},{row.Config.Lecture?.Accuracy:0.####},{row.Outcome?.TestAccuracy:0.####}," +
                $"{row.Outcome?.Epochs},{row.ConfiguredEpochs},{row.Outcome?.TrainingSeconds:0.#},\"{note}\"\n");
        }
        return text.ToString();
    }

    private static string Epochs(Row row) =>
        row.Outcome!.Epochs < row.ConfiguredEpochs ? $"{row.Outcome.Epochs} of {row.ConfiguredEpochs}"
            : row.Outcome.Epochs.ToString(CultureInfo.InvariantCulture);

    private static string Note(Row row)
    {
        TrainingOutcome o = row.Outcome!;
        var notes = new List<string>();
        if (row.Config.Epochs < row.ConfiguredEpochs)
            notes.Add($"capped at {row.Config.Epochs} of {row.ConfiguredEpochs} epochs");
        else if (o.Epochs < row.ConfiguredEpochs) notes.Add($"stopped itself after epoch {o.Epochs}");
        if (o.EnsembleAccuracy is not null)
            notes.Add($"ensemble of {o.Members.Count}; members {string.Join(", ",
                o.Members.Select(m =>
                    (m.TestTimeAccuracy ?? m.Test.Accuracy).ToString("P2", CultureInfo.InvariantCulture)))}");
        else if (o.Members[0].TestTimeAccuracy is not null)
            notes.Add($"test-time augmentation; without it {o.Members[0].Test.Accuracy.ToString("P2",
                CultureInfo.InvariantCulture)}");
        return string.Join("; ", notes);
    }
}
