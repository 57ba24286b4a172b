namespace GpuNet.Parameters;

/// <summary>
/// How a parameter's first values are drawn, by Keras's names and formulas. Draws come from the
/// counter-based generator, so the same seed gives the same weights on every accelerator and
/// thread count.
/// </summary>
public abstract class Initializer
{
    /// <summary>The Keras name, e.g. "glorot_uniform".</summary>
    public abstract string Name { get; }

    /// <param name="values">The parameter's elements, to be overwritten.</param>
    /// <param name="shape">The parameter's shape (explicit weights check it).</param>
    public abstract void Fill(Span<float> values, int[] shape, int fanIn, int fanOut, ulong seed, ulong stream);

    /// <summary>Throws a <see cref="GpuNetException"/> when this initializer cannot fill a parameter of <paramref
    /// name="shape"/>.</summary>
    public virtual void Validate(int[] shape) { }

    /// <summary>Arguments other than the name, for config round trips.</summary>
    public virtual IReadOnlyDictionary<string, object> Arguments => new Dictionary<string, object>();

    /// <summary>As a config writes it: the bare name, or the name mapped to its arguments.</summary>
    public object ToConfig() => Arguments.Count == 0 ? Name : new Dictionary<string, object> { [Name] = Arguments };

    public static Initializer GlorotUniform { get; } = new VarianceScalingInitializer("glorot_uniform", 1.0,
        FanMode.Average, uniform: true);

    public static Initializer GlorotNormal { get; } = new VarianceScalingInitializer("glorot_normal", 1.0,
        FanMode.Average, uniform: false);

    public static Initializer HeUniform { get; } = new VarianceScalingInitializer("he_uniform", 2.0, FanMode.In,
        uniform: true);

    public static Initializer HeNormal { get; } = new VarianceScalingInitializer("he_normal", 2.0, FanMode.In,
        uniform: false);

    public static Initializer Zeros { get; } = new ConstantInitializer(0f, "zeros");

    public static Initializer Ones { get; } = new ConstantInitializer(1f, "ones");
}
