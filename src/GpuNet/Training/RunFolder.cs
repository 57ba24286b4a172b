using System.Globalization;

namespace GpuNet.Training;

/// <summary>
/// The folder of one training run: the config as given, the history (CSV and JSON), the
/// checkpoint of the last finished epoch, and the final weights.
/// </summary>
public sealed class RunFolder
{
    private RunFolder(string path) => Path = path;

    public string Path { get; }

    public string ConfigFile => Combine("config.yaml");

    public string HistoryCsvFile => Combine("history.csv");

    public string HistoryJsonFile => Combine("history.json");

    public string CheckpointFile => Combine("checkpoint.json");

    /// <summary>The trained model's parameters alone, for evaluate and predict.</summary>
    public string WeightsFile => Combine("weights.safetensors");

    public string Combine(string fileName) => System.IO.Path.Combine(Path, fileName);

    /// <summary>
    /// A new folder under <paramref name="root"/> named after the run and the time it started, holding
    /// <paramref name="configText"/> as its config.yaml; "-2", "-3"… follow the name when it is taken.
    /// </summary>
    /// <remarks>
    /// The folder is made whole under a name of its own and then renamed onto the first free name,
    /// so the rename itself decides who gets a name: it fails where a folder stands already (a run
    /// folder is never empty), where a check for the name followed by a create — which succeeds on
    /// an existing folder — would let two runs started in the same second share one.
    /// </remarks>
    public static RunFolder Create(string root, string runName, DateTime now, string configText)
    {
        string stem = $"{Sanitize(runName)}-{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";
        Directory.CreateDirectory(root);
        string staging = System.IO.Path.Combine(root, $".{stem}.{Guid.NewGuid():N}.partial");
        Directory.CreateDirectory(staging);
        try
        {
            File.WriteAllText(System.IO.Path.Combine(staging, "config.yaml"), configText);
            for (int suffix = 1; ; suffix++)
            {
                string path = System.IO.Path.Combine(root, suffix == 1 ? stem : $"{stem}-{suffix}");
                if (Directory.Exists(path) || File.Exists(path)) continue;
                try
                {
                    Directory.Move(staging, path);
                    return new RunFolder(path);
                }
                catch (IOException) when (Directory.Exists(path) || File.Exists(path))
                {
                    // Taken between the look and the rename: by another run started at the same time.
                }
            }
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>A new folder <paramref name="name"/> inside <paramref name="parent"/>: one member of an ensemble
    /// run.</summary>
    public static RunFolder CreateMember(RunFolder parent, string name)
    {
        string path = System.IO.Path.Combine(parent.Path, Sanitize(name));
        if (Directory.Exists(path))
            throw new GpuNetException($"{path}: already exists; an ensemble's members each get a new folder");
        Directory.CreateDirectory(path);
        return new RunFolder(path);
    }

    /// <summary>An existing run folder, to resume or to read.</summary>
    public static RunFolder Open(string path)
    {
        if (!Directory.Exists(path)) throw new GpuNetException($"{path}: run folder not found");
        return new RunFolder(path);
    }

    private static string Sanitize(string name) =>
        new(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
}
