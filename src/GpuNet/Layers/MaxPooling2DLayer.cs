using GpuNet.Ops;

namespace GpuNet.Layers;

/// <summary>Keras's MaxPooling2D: the largest element of each window.</summary>
public sealed class MaxPooling2DLayer((int Height, int Width) poolSize, (int Height, int Width)? strides = null,
    string padding = "valid")
    : Pooling2DLayer(PoolingKind.Max, poolSize, strides, padding)
{
    public MaxPooling2DLayer(int poolSize = 2) : this((poolSize, poolSize)) { }

    public override string TypeName => "MaxPooling2D";

    public override string NameStem => "max_pooling2d";
}
