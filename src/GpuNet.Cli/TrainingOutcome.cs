using GpuNet.Training;

namespace GpuNet.Cli;

/// <summary>What one trained network ended with: its folder, epochs, training time and test figures.</summary>
internal sealed record MemberOutcome(ulong Seed, string Folder, int Epochs, double TrainingSeconds,
    EvaluationResult Test, float? TestTimeAccuracy, float[] DecisionOutputs);

/// <summary>
/// What a training run ended with: one network, or an ensemble's members and their vote.
/// <see cref="TestAccuracy"/> is the figure a results table shows: the ensemble's when there is one.
/// </summary>
internal sealed record TrainingOutcome(string Name, string Folder, IReadOnlyList<MemberOutcome> Members,
    float? EnsembleAccuracy)
{
    public float TestAccuracy => EnsembleAccuracy ?? Members[0].TestTimeAccuracy ?? Members[0].Test.Accuracy;

    public double TrainingSeconds => Members.Sum(m => m.TrainingSeconds);

    public int Epochs => Members.Max(m => m.Epochs);
}
