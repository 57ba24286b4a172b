namespace GpuNet.Kernels;

/// <summary>
/// Names the operations of the accelerator interface that a kernel serves, so a test can check
/// that every operation has a kernel, and compile every kernel for the GPU without running it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class KernelForAttribute(params string[] operations) : Attribute
{
    public IReadOnlyList<string> Operations { get; } = operations;
}
