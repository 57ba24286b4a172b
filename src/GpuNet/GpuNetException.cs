namespace GpuNet;

/// <summary>
/// An error in what the user gave us (a config, a data file, a checkpoint, a shape), as opposed
/// to a bug. The command-line tool prints its message alone, without a stack trace, so the
/// message must name the file, the place in it and what was expected.
/// </summary>
public class GpuNetException : Exception
{
    public GpuNetException(string message) : base(message) { }
    public GpuNetException(string message, Exception inner) : base(message, inner) { }
}
