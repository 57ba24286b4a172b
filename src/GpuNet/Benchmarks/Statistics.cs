namespace GpuNet.Benchmarks;

/// <summary>Summaries of repeated measurements.</summary>
public static class Statistics
{
    /// <summary>The middle value (the mean of the two middle ones for an even count): one slow epoch on a shared
    /// machine does not move it. NaN when empty.</summary>
    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
