using ILGPU;
using ILGPU.Runtime.Cuda;

namespace GpuNet.Accelerators.Ilgpu;

/// <summary>
/// GEMM by NVIDIA's cuBLAS through ILGPU.Algorithms' binding, on the accelerator's one stream.
/// cuBLAS is column-major: the row-major c [m, n] = op(a) · op(b) is, read column-major,
/// cᵀ = op(b)ᵀ · op(a)ᵀ, so the operands and m, n are swapped and each keeps its own transpose.
/// </summary>
internal sealed class CuBlasGemm : IDisposable
{
    private readonly CuBlas _blas;

    private CuBlasGemm(CuBlas blas) => _blas = blas;

    /// <summary>cuBLAS where a library ILGPU.Algorithms knows loads, else null; the reason says which, or why
    /// none.</summary>
    public static CuBlasGemm? TryCreate(CudaAccelerator accelerator, out string description)
    {
        try
        {
            var blas = new CuBlas(accelerator) { PointerMode = CuBlasPointerMode.Host };
            blas.Stream = (CudaStream)accelerator.DefaultStream;
            int version = blas.Version;
            description = $"GEMM by cuBLAS {version / 10000}.{version / 100 % 100}.{version % 100}";
            return new CuBlasGemm(blas);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or CuBlasException
            or TypeInitializationException)
        {
            description =
                "GEMM by the ILGPU tiled kernel: no cuBLAS loaded (ILGPU.Algorithms 1.5.3 looks for libcublas.so.12, " +
                $".11 and .10, not CUDA 13's .13: {e.Message.TrimEnd('.')})";
            return null;
        }
    }

    /// <summary>c [m, n] = alpha · op(a) · op(b) + beta · c, row-major, as IAccelerator.Gemm.</summary>
    public void Gemm(bool transposeA, bool transposeB, ArrayView<float> a, ArrayView<float> b, int m, int n, int k,
        float alpha, float beta, ArrayView<float> c)
    {
        _blas.Gemm(
            transposeB ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose,
            transposeA ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose,
            n, m, k, alpha,
            b, transposeB ? k : n,
            a, transposeA ? m : k,
            beta, c, n);
    }

    public void Dispose() => _blas.Dispose();
}
