namespace GpuNet.Ops;

/// <summary>What a pooling window keeps of its elements.</summary>
public enum PoolingKind
{
    /// <summary>The largest element.</summary>
    Max,

    /// <summary>The mean of the elements inside the image.</summary>
    Average,

    /// <summary>√(Σ x²), the window's Euclidean norm (Nielsen, ch. 6).</summary>
    L2,
}
