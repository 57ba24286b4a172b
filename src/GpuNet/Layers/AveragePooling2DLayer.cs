using GpuNet.Ops;

namespace GpuNet.Layers;

/// <summary>Keras's AveragePooling2D: the mean of each window, over the elements inside the image with 'same'
/// padding.</summary>
public sealed class AveragePooling2DLayer((int Height, int Width) poolSize, (int Height, int Width)? strides = null,
    string padding = "valid")
    : Pooling2DLayer(PoolingKind.Average, poolSize, strides, padding)
{
    public AveragePooling2DLayer(int poolSize = 2) : this((poolSize, poolSize)) { }

    public override string TypeName => "AveragePooling2D";

    public override string NameStem => "average_pooling2d";
}
