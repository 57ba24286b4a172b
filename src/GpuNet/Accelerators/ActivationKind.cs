namespace GpuNet.Accelerators;

/// <summary>The elementwise activations that every accelerator implements as one kernel each.</summary>
/// <remarks>Softmax is not here: it works on whole rows and has kernels of its own.</remarks>
public enum ActivationKind
{
    Linear,
    Sigmoid,
    Tanh,
    Relu,
    /// <summary>x for x &gt; 0, alpha·x otherwise.</summary>
    LeakyRelu,
}
