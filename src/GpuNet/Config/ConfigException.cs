namespace GpuNet.Config;

/// <summary>A config file that cannot be used, with the place in it: "file:line:column: key: what was
/// expected".</summary>
public sealed class ConfigException(string file, int line, int column, string path, string reason)
    : GpuNetException($"{file}:{line}:{column}: {(path.Length > 0 ? path + ": " : "")}{reason}")
{
    public string File { get; } = file;

    public int Line { get; } = line;

    public int Column { get; } = column;

    /// <summary>Where in the document, e.g. "model.layers[2].units".</summary>
    public string ConfigPath { get; } = path;

    public string Reason { get; } = reason;
}
