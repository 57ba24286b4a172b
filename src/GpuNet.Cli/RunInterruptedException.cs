namespace GpuNet.Cli;

/// <summary>
/// A run stopped on SIGINT or SIGTERM after writing its checkpoint. Not an error, and not a
/// <see cref="GpuNetException"/>: nothing may carry on with the next experiment; the process
/// prints the message (where the checkpoint is, how to resume) and exits with the signal's code.
/// </summary>
internal sealed class RunInterruptedException(string message, int exitCode) : Exception(message)
{
    /// <summary>128 + the signal's number, as a shell reports a process the signal ended: 130 for SIGINT, 143 for
    /// SIGTERM.</summary>
    public int ExitCode { get; } = exitCode;
}
