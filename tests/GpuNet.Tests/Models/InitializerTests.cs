using GpuNet.Config;
using GpuNet.Parameters;

namespace GpuNet.Tests.Models;

/// <summary>Keras's initializers: ranges and spreads of the drawn values, determinism, explicit weights.</summary>
public sealed class InitializerTests
{
    private static float[] Draw(Initializer initializer, int fanIn, int fanOut, ulong seed = 1)
    {
        float[] values = new float[fanIn * fanOut];
        initializer.Fill(values, [fanIn, fanOut], fanIn, fanOut, seed, 5);
        return values;
    }

    private static (double Mean, double Deviation) Moments(float[] values)
    {
        double mean = values.Average(v => (double)v);
        return (mean, Math.Sqrt(values.Average(v => (v - mean) * (v - mean))));
    }

    [Theory]
    [InlineData("glorot_uniform", 300, 200)]
    [InlineData("glorot_normal", 300, 200)]
    [InlineData("he_uniform", 300, 200)]
    [InlineData("he_normal", 300, 200)]
    public void Variance_scaling_has_the_keras_standard_deviation(string name, int fanIn, int fanOut)
    {
        // Glorot: √(2 / (fanIn + fanOut)); He: √(2 / fanIn).
        double deviation = name.StartsWith("glorot") ? Math.Sqrt(2.0 / (fanIn + fanOut)) : Math.Sqrt(2.0 / fanIn);
        Initializer initializer = name switch
        {
            "glorot_uniform" => Initializer.GlorotUniform,
            "glorot_normal" => Initializer.GlorotNormal,
            "he_uniform" => Initializer.HeUniform,
            _ => Initializer.HeNormal,
        };
        float[] values = Draw(initializer, fanIn, fanOut);
        var (mean, actual) = Moments(values);
        Assert.InRange(mean, -0.003, 0.003);
        Assert.InRange(actual, deviation * 0.97, deviation * 1.03);
        double bound = name.EndsWith("uniform") ? deviation * Math.Sqrt(3) : 2 * deviation / 0.87962566103423978;
        Assert.All(values, v => Assert.InRange(Math.Abs(v), 0, bound + 1e-6));
    }

    [Fact]
    public void Random_normal_and_uniform_use_their_arguments()
    {
        var (mean, deviation) = Moments(Draw(new RandomNormalInitializer(1f, 0.5f), 100, 100));
        Assert.InRange(mean, 0.98, 1.02);
        Assert.InRange(deviation, 0.49, 0.51);
        float[] uniform = Draw(new RandomUniformInitializer(2f, 3f), 100, 100);
        Assert.All(uniform, v => Assert.InRange(v, 2f, 3f));
        Assert.InRange(uniform.Average(), 2.49, 2.51);
    }

    [Fact]
    public void Same_seed_same_values_other_seed_other_values()
    {
        Assert.Equal(Draw(Initializer.HeNormal, 10, 10, seed: 3), Draw(Initializer.HeNormal, 10, 10, seed: 3));
        Assert.NotEqual(Draw(Initializer.HeNormal, 10, 10, seed: 3), Draw(Initializer.HeNormal, 10, 10, seed: 4));
    }

    [Fact]
    public void Explicit_weights_from_the_config_set_the_slow_learning_network()
    {
        const string text = """
            model:
              input_shape: [1]
              layers:
                - Dense: {units: 1, activation: sigmoid, weights: [[[2.0]], [3.0]]}
                - Dense: {units: 1, activation: sigmoid, weights: [[[4.0]], [5.0]]}
            loss: mse
            optimizer: SGD
            """;
        var built = RunConfigReader.Read("slow.yaml", text).CreateModel().Build();
        var values = built.Parameters.Select(p =>
        {
            float[] v = new float[p.Length];
            p.Initializer.Fill(v, p.Shape, 1, 1, 0, 0);
            return v.Single();
        });
        Assert.Equal([2f, 3f, 4f, 5f], values);
    }

    [Fact]
    public void Explicit_weights_of_the_wrong_shape_name_the_layer()
    {
        const string text = """
            model:
              input_shape: [2]
              layers:
                - Dense: {units: 1, weights: [[[2.0]], [3.0]]}
            loss: mse
            optimizer: SGD
            """;
        RunConfig config = RunConfigReader.Read("slow.yaml", text);
        var error = Assert.Throws<ConfigException>(() => config.CreateModel());
        Assert.Contains("model.layers[0] (Dense): kernel: explicit weights have shape (1, 1) but the parameter is (2, "
            +
            "1)", error.Message);
    }
}
