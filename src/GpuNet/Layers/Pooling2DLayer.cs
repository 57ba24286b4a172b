using GpuNet.Graph;
using GpuNet.Ops;

namespace GpuNet.Layers;

/// <summary>
/// The arguments Keras's 2-D pooling layers share: pool_size, strides (the pool size when not
/// given) and padding. Each channel of an image [C, H, W] is pooled on its own.
/// </summary>
public abstract class Pooling2DLayer : Layer
{
    protected Pooling2DLayer(PoolingKind kind, (int Height, int Width) poolSize, (int Height, int Width)? strides,
        string padding)
    {
        Kind = kind;
        WindowArguments.CheckPair(TypeName, "pool_size", poolSize);
        PoolSize = poolSize;
        Strides = strides ?? poolSize;
        WindowArguments.CheckPair(TypeName, "strides", Strides);
        Padding = PaddingNames.Parse(padding, TypeName);
    }

    public PoolingKind Kind { get; }

    public (int Height, int Width) PoolSize { get; }

    public (int Height, int Width) Strides { get; }

    public Padding Padding { get; }

    public override Value Build(LayerBuilder builder, Value input)
    {
        var window = new SlidingWindow(PoolSize.Height, PoolSize.Width, Strides.Height, Strides.Width, Padding,
            "pool size");
        return builder.Graph.Apply(new Pool2DOp(Kind, window), input);
    }

    public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?>
    {
        ["pool_size"] = new[] { PoolSize.Height, PoolSize.Width },
        ["strides"] = new[] { Strides.Height, Strides.Width },
        ["padding"] = Padding.ToName(),
    };
}
