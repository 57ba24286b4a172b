using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// The depth steps of a packed six-row sliver of op(A) ([kc, 6], AVX2's tile) that are zero in all six rows, left
/// out of the product. A batch of MNIST images is about four fifths zero pixels: six images together are zero at
/// more than half of the 784 pixels, and six neighbouring pixels are zero together in about two thirds of the
/// images, so the first Dense layer's product and its kernel gradient skip about half their multiply-adds. Finding
/// the steps costs a compare per step, against the six steps of work the micro-kernel spends on each of the sliver's
/// dozens of tiles, so every sliver is looked at and a dense one runs the dense kernel.
/// </summary>
internal static unsafe class GemmZeroSteps
{
    /// <summary>
    /// Lists in <paramref name="steps"/> the steps of <paramref name="sliver"/> [kc, 6] with a value other than zero
    /// and, when they are few enough to pay for the indexed kernel (<see cref="GemmMicroKernels.Tile6x16Steps"/>),
    /// moves those steps to the front of the sliver in order and returns their count; otherwise returns
    /// <paramref name="kc"/> and leaves the sliver as it was. Reads two floats past the sliver (the packing
    /// buffer has room), and may write two past the steps it keeps.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Compact(float* sliver, int kc, int* steps)
    {
        var sixRows = Vector256.Create(-1, -1, -1, -1, -1, -1, 0, 0).AsSingle();
        int count = 0;
        for (int p = 0; p < kc; p++)
        {
            // −0 compares equal to zero, NaN does not: a NaN in op(A) stays in the product.
            bool zero = Vector256.EqualsAll(Vector256.Load(sliver + p * 6) & sixRows, Vector256<float>.Zero);
            steps[count] = p;
            count += zero ? 0 : 1;
        }
        // A listed step costs the kernel what a dense one does; moving it costs a load and a store, which the
        // sliver's tiles (four at least) share. Below a sixteenth skipped, that would be most of the saving.
        if (count * 16 > kc * 15) return kc;
        for (int t = 0; t < count; t++)
        {
            // Eight floats for six: the two extra land in the next place, which holds a step already moved or
            // skipped, or the same two floats (where nothing was skipped yet).
            Vector256.Store(Vector256.Load(sliver + steps[t] * 6), sliver + t * 6);
        }
        return count;
    }
}
