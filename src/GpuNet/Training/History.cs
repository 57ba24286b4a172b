namespace GpuNet.Training;

/// <summary>Every epoch's logs of one training run, in order (a resumed run continues its history).</summary>
public sealed class History
{
    private readonly List<EpochLogs> _epochs = [];

    public History() { }

    public History(IEnumerable<EpochLogs> earlier) => _epochs.AddRange(earlier);

    public IReadOnlyList<EpochLogs> Epochs => _epochs;

    internal void Add(EpochLogs logs) => _epochs.Add(logs);
}
