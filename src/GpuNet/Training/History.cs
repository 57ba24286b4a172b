namespace GpuNet.Training;

/// <summary>Every epoch's logs of one training run, in order.</summary>
public sealed class History
{
    private readonly List<EpochLogs> _epochs = [];

    public IReadOnlyList<EpochLogs> Epochs => _epochs;

    internal void Add(EpochLogs logs) => _epochs.Add(logs);
}
