using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using GpuNet.Serialization;
using GpuNet.Tests.Data;
using GpuNet.Training;

namespace GpuNet.Tests.Cli;

/// <summary>
/// SIGINT and SIGTERM sent to a real gpunet train in the middle of an epoch: it finishes the step,
/// writes a checkpoint of it, prints the command that resumes it and exits 130 or 143; that command
/// then ends the run with weights identical, bit for bit, to a run that was never stopped.
/// </summary>
public sealed class StopSignalTests(StopSignalTests.StraightRun straight) : IClassFixture<StopSignalTests.StraightRun>
{
    private const string Config = """
        name: stopped
        model:
          input_shape: [784]
          layers:
            - Dense: {units: 256, activation: relu}
            - Dropout: {rate: 0.2}
            - Dense: {units: 10, activation: softmax}
        loss: categorical_crossentropy
        optimizer: {Adam: {lr: 0.001}}
        batch_size: 10
        epochs: 3
        seed: 17
        training_range: [0, 30000]
        validation_data: none
        """;

    // Long enough that the run is still in epoch 2 or 3 when the signal lands: a step of this network takes a fraction
    // of a millisecond on the CPU path, and a shorter run once ended before the signal reached it.
    private const int StepsPerEpoch = 3000;

    /// <summary>The run that is never stopped, trained once for both signals.</summary>
    public sealed class StraightRun : IDisposable
    {
        public StraightRun()
        {
            File.WriteAllText(System.IO.Path.Combine(Folder, "run.yaml"), Config);
            var result = GpunetProcess.Run(Folder, "train", "run.yaml", "--data", TestData.MnistDirectory, "--runs",
                "straight");
            Assert.True(result.ExitCode == 0, result.Error);
            Weights = System.IO.Path.Combine(Directory.GetDirectories(System.IO.Path.Combine(Folder,
                "straight")).Single(), "weights.safetensors");
        }

        public string Folder { get; } = Directory.CreateTempSubdirectory("gpunet-signal-").FullName;

        public string Weights { get; }

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }

    [SignalTheory]
    [InlineData("SIGINT", 2, 130)]
    [InlineData("SIGTERM", 15, 143)]
    public void Signal_in_the_middle_of_an_epoch_saves_the_step_and_resumes_bit_for_bit(string name, int signal,
        int exitCode)
    {
        string runs = $"stopped-{name}";
        var (code, output) = RunAndSignal(runs, signal);

        Assert.True(code == exitCode, $"exit code {code}, expected {exitCode}\n{output}");
        string runFolder = System.IO.Path.Combine(runs,
            "stopped-"
                + Directory.GetDirectories(System.IO.Path.Combine(straight.Folder,
                    runs)).Single().Split("stopped-").Last());
        // A loaded machine may let epoch 2 end before the signal lands; any step inside an epoch will do.
        Match? line = output.Split('\n').Select(l =>
            Regex.Match(l, $@"^Stopped by {name} in epoch (\d+) after step (\d+) of {StepsPerEpoch}; (.*)$"))
            .SingleOrDefault(m => m.Success);
        Assert.True(line is not null, $"no line that says where the run stopped:\n{output}");
        string expectedCommand = $"gpunet train --resume {runFolder} --data {TestData.MnistDirectory}";
        Assert.Equal($"checkpoint saved in {runFolder}; resume with: {expectedCommand}",
            line.Groups[3].Value.TrimEnd());
        int epoch = int.Parse(line.Groups[1].Value), step = int.Parse(line.Groups[2].Value);

        // The checkpoint is of a step inside epoch 2, and no final weights were written.
        string absolute = System.IO.Path.Combine(straight.Folder, runFolder);
        Checkpoint checkpoint = Checkpoint.Load(RunFolder.Open(absolute));
        Assert.Equal(epoch - 1, checkpoint.Epoch);
        Assert.NotNull(checkpoint.Progress);
        Assert.Equal((epoch, step), (checkpoint.Progress.Epoch, checkpoint.Progress.StepsDone));
        Assert.InRange(step, 1, StepsPerEpoch - 1);
        Assert.Equal((epoch - 1) * StepsPerEpoch + step, checkpoint.Iterations);
        Assert.False(File.Exists(System.IO.Path.Combine(absolute, "weights.safetensors")));

        // Resume with the printed command, word for word.
        var resumed = GpunetProcess.Run(straight.Folder, expectedCommand.Split(' ')[1..]);
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains($"Resuming {runFolder} in epoch {epoch} after its step {step} of {StepsPerEpoch}",
            resumed.Output);
        var expected = SafeTensorsFile.Read(straight.Weights).Tensors;
        var actual = SafeTensorsFile.Read(System.IO.Path.Combine(absolute, "weights.safetensors")).Tensors;
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (tensor,
            values) in expected) Assert.True(values.Values.AsSpan().SequenceEqual(actual[tensor].Values),
                $"{tensor} differs");
        Assert.Equal(LossesOf(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(straight.Weights)!,
            "history.csv")), LossesOf(System.IO.Path.Combine(absolute, "history.csv")));
    }

    /// <summary>Starts gpunet train and sends <paramref name="signal"/> once epoch 2 is under way; returns its exit
    /// code and output.</summary>
    private (int ExitCode, string Output) RunAndSignal(string runs, int signal)
    {
        var start = SignalSupport.StartInfo(straight.Folder,
            [System.IO.Path.Combine(AppContext.BaseDirectory, "gpunet.dll"), "train", "run.yaml", "--data",
                TestData.MnistDirectory, "--runs", runs]);
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        using var epochTwo = new ManualResetEventSlim();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (e.Data.StartsWith("Epoch 2/", StringComparison.Ordinal)) epochTwo.Set();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (output) output.AppendLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            Assert.True(epochTwo.Wait(TimeSpan.FromMinutes(3)), $"epoch 2 did not start in 3 minutes:\n{output}");
            Thread.Sleep(50);
            Assert.False(process.HasExited, $"the run ended before it could be stopped:\n{output}");
            Assert.Equal(0, SignalSupport.Kill(process.Id, signal));
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the run did not stop in 2 minutes");
            process.WaitForExit();
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        lock (output) return (process.ExitCode, output.ToString());
    }

    private static string[] LossesOf(string historyCsv) =>
        File.ReadAllLines(historyCsv).Skip(1).Select(l => string.Join(',', l.Split(',')[..3])).ToArray();
}

/// <summary>A theory that sends POSIX signals to a child process; where that cannot be done it reports itself
/// skipped.</summary>
public sealed class SignalTheoryAttribute : TheoryAttribute
{
    public SignalTheoryAttribute()
    {
        if (SignalSupport.Unavailable is { } reason) Skip = reason;
    }
}

internal static partial class SignalSupport
{
    private static readonly Lazy<bool> SigintIgnored = new(() => OperatingSystem.IsLinux()
        && File.ReadLines("/proc/self/status")
        .Where(l => l.StartsWith("SigIgn:", StringComparison.Ordinal))
        .Any(l => (Convert.ToUInt64(l["SigIgn:".Length..].Trim(), 16) & (1UL << (2 - 1))) != 0));

    private static readonly Lazy<bool> EnvResetsSignals = new(() =>
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("env",
                ["--default-signal=INT", "true"]) { RedirectStandardError = true })!;
            probe.WaitForExit();
            return probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    /// <summary>Why signals cannot be tested here, or null.</summary>
    public static string? Unavailable =>
        !OperatingSystem.IsLinux() ? "sending SIGINT and SIGTERM to a child is tested on Linux only"
        : SigintIgnored.Value && !EnvResetsSignals.Value
            ? "SIGINT is ignored in this test process (started in the background by a shell), so a child would ignore "
                +
                "it too, and env --default-signal is not available to undo that"
            : null;

    /// <summary>
    /// Runs dotnet with <paramref name="arguments"/>; where this process ignores SIGINT (a shell's
    /// background job) through env --default-signal, since an ignored signal stays ignored across exec.
    /// </summary>
    public static ProcessStartInfo StartInfo(string workingDirectory, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(SigintIgnored.Value ? "env" : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (SigintIgnored.Value) foreach (string a in new[] { "--default-signal=INT,TERM", "dotnet" })
            start.ArgumentList.Add(a);
        foreach (string a in arguments) start.ArgumentList.Add(a);
        start.Environment.Remove("GPUNET_DATA");
        return start;
    }

    public static int Kill(int pid, int signal) => kill(pid, signal);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
