namespace GpuNet.Kernels;

/// <summary>
/// The group sizes of the kernels that share memory within a group (the GEMM tiles and the
/// reductions), as a type parameter: ILGPU sizes shared memory from constants, and the same kernel
/// must run with large groups on a GPU and with a handful of threads on ILGPU's CPU accelerator,
/// where every thread of a group is an operating-system thread and every barrier a rendezvous.
/// </summary>
public interface IKernelShape
{
    /// <summary>Threads of a reduction group: a power of two.</summary>
    int ReduceThreads { get; }

    /// <summary>GEMM threads down a group; each computes a 4 × 4 block of c, so a tile has 4× as many rows.</summary>
    int GemmThreadRows { get; }

    /// <summary>GEMM threads across a group; a tile has 4× as many columns.</summary>
    int GemmThreadColumns { get; }

    /// <summary>Depth of a GEMM step: the k extent of the tiles held in shared memory.</summary>
    int GemmTileDepth { get; }
}

/// <summary>A GPU's shape: 256-thread reductions and 64 × 64 GEMM tiles of 16 × 16 threads.</summary>
public readonly struct GpuKernelShape : IKernelShape
{
    public int ReduceThreads => 256;

    public int GemmThreadRows => 16;

    public int GemmThreadColumns => 16;

    public int GemmTileDepth => 16;
}

/// <summary>
/// The shape for ILGPU's CPU accelerator: four threads a group (8 × 8 GEMM tiles, 32 deep), so
/// groups and barriers stay few enough for a test suite: every barrier there is a rendezvous of
/// operating-system threads, and a deeper tile takes fewer of them per product.
/// </summary>
public readonly struct CpuKernelShape : IKernelShape
{
    public int ReduceThreads => 4;

    public int GemmThreadRows => 2;

    public int GemmThreadColumns => 2;

    public int GemmTileDepth => 32;
}
