using System.Runtime.InteropServices;

namespace GpuNet.Accelerators.Cuda;

/// <summary>A CUDA context; releasing it destroys the context and with it every module and allocation made in it.</summary>
internal sealed class CudaContextHandle : SafeHandle
{
    private readonly CudaDriver _driver;

    public CudaContextHandle(CudaDriver driver, nint context) : base(0, ownsHandle: true)
    {
        _driver = driver;
        SetHandle(context);
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle() => _driver.DestroyContext(handle) == 0;
}
