namespace GpuNet.Training;

/// <summary>
/// Checkpoints in the middle of epochs, for runs whose epochs are long: every <see cref="Steps"/>
/// optimizer steps, or every <see cref="Minutes"/> of training. (The end of every epoch is always saved.)
/// </summary>
public sealed record CheckpointSchedule
{
    private CheckpointSchedule(int? steps, double? minutes) => (Steps, Minutes) = (steps, minutes);

    public int? Steps { get; }

    public double? Minutes { get; }

    public static CheckpointSchedule EverySteps(int steps) =>
        steps > 0
            ? new(steps, null)
            : throw new GpuNetException($"checkpoint_every: 'steps' must be a positive integer, got {steps}");

    public static CheckpointSchedule EveryMinutes(double minutes) =>
        minutes > 0 && double.IsFinite(minutes)
            ? new(null, minutes)
            : throw new GpuNetException($"checkpoint_every: 'minutes' must be a positive number, got {minutes}");

    /// <param name="iterations">Steps taken in the whole run; counting them, not the steps of this process, keeps a
    /// resumed run on the same beat.</param>
    /// <param name="sinceLastSave">Time since the last checkpoint, or since this process started training.</param>
    public bool IsDue(long iterations, TimeSpan sinceLastSave) =>
        Steps is { } steps ? iterations % steps == 0 : sinceLastSave.TotalMinutes >= Minutes!.Value;

    public override string ToString() => Steps is { } steps ? $"every {steps} steps" : $"every {Minutes} minutes";
}
