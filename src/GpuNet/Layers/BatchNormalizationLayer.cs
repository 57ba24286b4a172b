using GpuNet.Graph;
using GpuNet.Parameters;
using GpuNet.Ops;

namespace GpuNet.Layers;

/// <summary>
/// Keras's BatchNormalization over the last axis (features after Dense, channels after Conv2D).
/// gamma and beta are trained; moving_mean and moving_variance are non-trainable parameters that
/// training updates and evaluation normalizes with. Four parameters per feature, as Keras counts.
/// </summary>
public sealed class BatchNormalizationLayer : Layer
{
    public BatchNormalizationLayer(float momentum = 0.99f, float epsilon = 1e-3f, bool center = true, bool scale = true,
        Initializer? betaInitializer = null, Initializer? gammaInitializer = null,
        Initializer? movingMeanInitializer = null, Initializer? movingVarianceInitializer = null)
    {
        if (!(momentum >= 0f && momentum <= 1f))
            throw new GpuNetException($"BatchNormalization: 'momentum' must be in [0, 1], got {momentum}");
        if (!(epsilon > 0f) || float.IsInfinity(epsilon))
            throw new GpuNetException($"BatchNormalization: 'epsilon' must be a positive number, got {epsilon}");
        Momentum = momentum;
        Epsilon = epsilon;
        Center = center;
        Scale = scale;
        BetaInitializer = betaInitializer ?? Initializer.Zeros;
        GammaInitializer = gammaInitializer ?? Initializer.Ones;
        MovingMeanInitializer = movingMeanInitializer ?? Initializer.Zeros;
        MovingVarianceInitializer = movingVarianceInitializer ?? Initializer.Ones;
    }

    public float Momentum { get; }

    public float Epsilon { get; }

    /// <summary>Adds the learned offset beta.</summary>
    public bool Center { get; }

    /// <summary>Multiplies by the learned gamma.</summary>
    public bool Scale { get; }

    public Initializer BetaInitializer { get; }

    public Initializer GammaInitializer { get; }

    public Initializer MovingMeanInitializer { get; }

    public Initializer MovingVarianceInitializer { get; }

    public override string TypeName => "BatchNormalization";

    public override Value Build(LayerBuilder builder, Value input)
    {
        int features = BatchNormOp.ChannelsOf(input.SampleShape);
        Parameter? gamma = Scale ? builder.AddParameter("gamma", [features], GammaInitializer) : null;
        Parameter? beta = Center ? builder.AddParameter("beta", [features], BetaInitializer) : null;
        Parameter movingMean = builder.AddParameter("moving_mean", [features], MovingMeanInitializer, trainable: false);
        Parameter movingVariance = builder.AddParameter("moving_variance", [features], MovingVarianceInitializer,
            trainable: false);
        return builder.Graph.Apply(new BatchNormOp(gamma, beta, movingMean, movingVariance, Momentum, Epsilon), input);
    }

    public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?>
    {
        ["axis"] = -1,
        ["momentum"] = Momentum,
        ["epsilon"] = Epsilon,
        ["center"] = Center,
        ["scale"] = Scale,
        ["beta_initializer"] = BetaInitializer.ToConfig(),
        ["gamma_initializer"] = GammaInitializer.ToConfig(),
        ["moving_mean_initializer"] = MovingMeanInitializer.ToConfig(),
        ["moving_variance_initializer"] = MovingVarianceInitializer.ToConfig(),
    };
}
