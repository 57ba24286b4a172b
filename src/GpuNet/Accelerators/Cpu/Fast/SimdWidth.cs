using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// The vector widths, in bits, that the fast CPU kernels have paths for: 512 (AVX-512), 256 (AVX2
/// with FMA) and 0 (the plain reference). A kernel with more than one path takes the width as a
/// parameter, so the tests run every path the CPU has (the 256-bit one too where 512 bits are
/// there) and report a width it lacks as skipped; the accelerator passes <see cref="Best"/>.
/// </summary>
internal static class SimdWidth
{
    /// <summary>The widest path this CPU runs (with AVX-512 turned off for the process, 256 on an AVX-512
    /// machine).</summary>
    public static int Best { get; } =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? 512
        : Avx2.IsSupported && Fma.IsSupported ? 256
        : 0;

    /// <summary>Whether this CPU runs the <paramref name="width"/>-bit path.</summary>
    public static bool IsSupported(int width) => width is 0 or 256 or 512 && width <= Best;

    /// <summary>Refuses a path this CPU cannot run, rather than letting it fault or run another one.</summary>
    public static void Require(int width, string kernel)
    {
        if (!IsSupported(width))
            throw new PlatformNotSupportedException($"This CPU has no {width}-bit path for {kernel} (widest: {Best}).");
    }
}
