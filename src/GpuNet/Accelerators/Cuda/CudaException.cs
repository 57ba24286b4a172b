namespace GpuNet.Accelerators.Cuda;

/// <summary>A CUDA driver call that did not return CUDA_SUCCESS, named with the call and the driver's error name.</summary>
public sealed class CudaException : GpuNetException
{
    public CudaException(string message, int status, string errorName) : base(message)
    {
        Status = status;
        ErrorName = errorName;
    }

    /// <summary>The CUresult the driver returned.</summary>
    public int Status { get; }

    /// <summary>The driver's name for it, e.g. CUDA_ERROR_OUT_OF_MEMORY.</summary>
    public string ErrorName { get; }
}
