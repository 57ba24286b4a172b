namespace GpuNet.Accelerators.Cpu;

/// <summary>A buffer in managed host memory.</summary>
internal sealed class CpuBuffer(int length) : DeviceBuffer(length)
{
    public float[] Data { get; } = new float[length];

    public override void Dispose() { }
}
