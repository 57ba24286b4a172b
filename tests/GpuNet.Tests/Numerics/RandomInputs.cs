namespace GpuNet.Tests.Numerics;

/// <summary>The seeded random inputs every numeric test draws from, in one place.</summary>
public static class RandomInputs
{
    /// <summary><paramref name="length"/> values uniform in [low, high).</summary>
    public static float[] Uniform(System.Random random, int length, float low = -1f, float high = 1f)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = low + (high - low) * random.NextSingle();
        return values;
    }

    /// <summary>One-hot rows [rows, cols], the hot column drawn per row.</summary>
    public static float[] OneHot(System.Random random, int rows, int cols)
    {
        var values = new float[rows * cols];
        for (int r = 0; r < rows; r++) values[r * cols + random.Next(cols)] = 1f;
        return values;
    }

    /// <summary>Moves every value at least <paramref name="margin"/> from zero, where ReLU-like ops have a
    /// kink.</summary>
    public static float[] AwayFromZero(float[] values, float margin)
    {
        for (int i = 0; i < values.Length; i++)
            if (Math.Abs(values[i]) < margin) values[i] = values[i] < 0 ? values[i] - margin : values[i] + margin;
        return values;
    }
}
