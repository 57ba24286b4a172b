using GpuNet.Accelerators.Cpu;
using GpuNet.Accelerators.Cpu.Fast;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// The vector paths a fast CPU kernel is tested on: every one it has, the 256-bit path forced
/// where the CPU also has 512 bits, and a path the CPU lacks reported as skipped (never passed,
/// and never compared as the reference against itself).
/// </summary>
internal static class VectorPaths
{
    /// <summary>The vector widths, in bits, of the kernels that take one (<see cref="SimdWidth"/>).</summary>
    public static readonly int[] Widths = [512, 256];

    /// <summary>The GEMM and convolution micro-kernels.</summary>
    public static readonly GemmKernelKind[] Kinds = [GemmKernelKind.Vector512, GemmKernelKind.Vector256,
        GemmKernelKind.Portable];

    /// <summary>Skips the test where this CPU has no <paramref name="width"/>-bit path.</summary>
    public static void SkipUnlessSupported(int width) =>
        Skip.IfNot(SimdWidth.IsSupported(width),
            $"This CPU has no {width}-bit path (widest here: {SimdWidth.Best} bits).");

    /// <summary>Skips the test where this CPU cannot run <paramref name="kind"/>.</summary>
    public static void SkipUnlessSupported(GemmKernelKind kind) =>
        Skip.IfNot(GemmMicroKernels.IsSupported(kind),
            $"This CPU cannot run the {kind} micro-kernel (best here: {GemmMicroKernels.Best}).");

    /// <summary>Every row of <paramref name="rows"/> once per item of <paramref name="paths"/>, the path
    /// first.</summary>
    public static IEnumerable<object[]> Cross<TPath>(IEnumerable<TPath> paths, IEnumerable<object[]> rows) =>
        paths.SelectMany(path => rows.Select(row => new object[] { path! }.Concat(row).ToArray()));
}
