namespace GpuNet.Ensembles;

/// <summary>How an ensemble's members decide together.</summary>
public enum EnsembleVote
{
    /// <summary>Each member votes for its most likely class; the most votes win (ties go to the larger mean
    /// output).</summary>
    Majority,

    /// <summary>The members' outputs are averaged and the largest mean wins.</summary>
    Mean,
}
