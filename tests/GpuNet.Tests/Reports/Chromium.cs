using System.Diagnostics;

namespace GpuNet.Tests.Reports;

/// <summary>
/// Debian's Chromium, headless, for rendering reports as a browser would. Started as the
/// machines here need it: no sandbox (root), no GPU, no background network (the network is
/// closed), and a fresh profile every time.
/// </summary>
public static class Chromium
{
    /// <summary>Set by CI, so a missing browser fails the run there instead of skipping.</summary>
    public const string RequiredVariable = "GPUNET_REQUIRE_CHROMIUM";

    public static string? Path { get; } = new[] { "/usr/bin/chromium",
        "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    /// <summary>Renders <paramref name="page"/> in a window of the given size and saves what it shows as PNG.</summary>
    public static void Screenshot(string page, string png, int width, int height) =>
        Run(page, $"--window-size={width},{height}", "--hide-scrollbars", $"--screenshot={png}");

    /// <summary>The document as the browser holds it after loading <paramref name="page"/>.</summary>
    public static string DumpDom(string page) => Run(page, "--dump-dom");

    private static string Run(string page, params string[] arguments)
    {
        string executable = Path
            ?? throw new InvalidOperationException("Chromium is not installed (apt-get install chromium)");
        string profile = Directory.CreateTempSubdirectory("gpunet-chromium-").FullName;
        try
        {
            var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true,
                RedirectStandardError = true };
            foreach (string flag in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                             $"--user-data-dir={profile}" })
                start.ArgumentList.Add(flag);
            foreach (string argument in arguments) start.ArgumentList.Add(argument);
            start.ArgumentList.Add(new Uri(System.IO.Path.GetFullPath(page)).AbsoluteUri);
            using var process = Process.Start(start)!;
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"Chromium did not finish rendering {page} in 2 minutes");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"Chromium exited with {process.ExitCode}: {error.Result}");
            return output.Result;
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }
}

/// <summary>A fact that needs Chromium: skipped, with the reason, where it is not installed — unless CI asked for
/// it.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.Path is null && Environment.GetEnvironmentVariable(Chromium.RequiredVariable) != "1")
            Skip = "Chromium is not installed (apt-get install chromium), so reports are not rendered in a browser " +
                "here.";
    }
}
