using GpuNet.Ops;

namespace GpuNet.Layers;

/// <summary>
/// L2 pooling, √(Σ x²) over each window (Nielsen, "Neural Networks and Deep Learning", ch. 6).
/// Not a Keras layer; it takes the arguments of Keras's other 2-D pools.
/// </summary>
public sealed class L2Pooling2DLayer((int Height, int Width) poolSize, (int Height, int Width)? strides = null,
    string padding = "valid")
    : Pooling2DLayer(PoolingKind.L2, poolSize, strides, padding)
{
    public L2Pooling2DLayer(int poolSize = 2) : this((poolSize, poolSize)) { }

    public override string TypeName => "L2Pooling2D";

    public override string NameStem => "l2_pooling2d";
}
