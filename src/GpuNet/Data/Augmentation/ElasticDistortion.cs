using System.Globalization;

namespace GpuNet.Data.Augmentation;

/// <summary>
/// Simard, Steinkraus and Platt (2003): a displacement field of independent uniform(−1, 1)
/// values per pixel and axis, smoothed by a Gaussian of width σ and scaled by α; every pixel then
/// reads the source at its displaced place, bilinearly. Small σ gives noise, large σ a near
/// translation; the paper's MNIST setting is σ = 4, α = 34. With α = 0 it is the identity.
/// </summary>
public sealed class ElasticDistortion : ImageTransform
{
    [ThreadStatic] private static float[]? t_scratch;

    private readonly float[] _kernel;

    public ElasticDistortion(double alpha, double sigma)
    {
        if (!(alpha >= 0) || !double.IsFinite(alpha))
            throw new GpuNetException($"ElasticDistortion: 'alpha' must be a number ≥ 0, got {alpha}");
        if (!(sigma > 0) || !double.IsFinite(sigma))
            throw new GpuNetException($"ElasticDistortion: 'sigma' must be a number > 0, got {sigma}");
        Alpha = alpha;
        Sigma = sigma;
        int radius = (int)Math.Ceiling(3 * sigma);
        _kernel = new float[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) sum += Math.Exp(-i * i / (2 * sigma * sigma));
        for (int i = -radius; i <= radius; i++)
            _kernel[i + radius] = (float)(Math.Exp(-i * i / (2 * sigma * sigma)) / sum);
    }

    public double Alpha { get; }

    public double Sigma { get; }

    public override string Name => "ElasticDistortion";

    public override void Apply(ReadOnlySpan<float> source, Span<float> destination, int height, int width,
        TransformRandom random)
    {
        int pixels = height * width;
        // Scratch kept per thread: batches are prepared on a background thread, and an epoch of
        // fresh arrays would be hundreds of megabytes of garbage.
        if (t_scratch is null || t_scratch.Length < 3 * pixels) t_scratch = new float[3 * pixels];
        Span<float> dx = t_scratch.AsSpan(0, pixels), dy = t_scratch.AsSpan(pixels, pixels),
            rows = t_scratch.AsSpan(2 * pixels, pixels);
        for (int i = 0; i < pixels; i++) dx[i] = random.Uniform(-1f, 1f);
        for (int i = 0; i < pixels; i++) dy[i] = random.Uniform(-1f, 1f);
        Smooth(dx, rows, height, width);
        Smooth(dy, rows, height, width);
        float alpha = (float)Alpha;
        for (int i = 0; i < pixels; i++)
        {
            dx[i] *= alpha;
            dy[i] *= alpha;
        }
        ImageGeometry.Displace(source, dx, dy, destination, height, width);
    }

    /// <summary>The Gaussian as two passes, rows then columns, with 0 beyond the edges.</summary>
    private void Smooth(Span<float> field, Span<float> rows, int height, int width)
    {
        int radius = _kernel.Length / 2;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float sum = 0;
                for (int k = -radius; k <= radius; k++)
                    if (x + k >= 0 && x + k < width) sum += _kernel[k + radius] * field[y * width + x + k];
                rows[y * width + x] = sum;
            }
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float sum = 0;
                for (int k = -radius; k <= radius; k++)
                    if (y + k >= 0 && y + k < height) sum += _kernel[k + radius] * rows[(y + k) * width + x];
                field[y * width + x] = sum;
            }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}(α {Alpha}, σ {Sigma})");
}
