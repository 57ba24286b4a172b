namespace GpuNet.Kernels;

/// <summary>
/// Arithmetic shared by several kernel families. MathF compiles on every ILGPU backend once the
/// context enables ILGPU.Algorithms; on a GPU its exp and log are the hardware's approximations,
/// on ILGPU's CPU accelerator .NET's own, so CPU-versus-GPU comparisons of them need a tolerance.
/// </summary>
public static class DeviceMath
{
    // The codes of the accelerator layer's ActivationKind, which the host passes as an int.
    public const int Linear = 0, Sigmoid = 1, Tanh = 2, Relu = 3, LeakyRelu = 4;

    // The codes of the accelerator layer's LossKind.
    public const int MeanSquaredError = 0, BinaryCrossEntropy = 1, CategoricalCrossEntropy = 2, SoftmaxCrossEntropy = 3;

    /// <summary>Keras's backend epsilon: probabilities are clipped to [ε, 1 − ε] before a logarithm.</summary>
    public const float LossEpsilon = 1e-7f;

    public static float Activate(int kind, float alpha, float x) => kind switch
    {
        Sigmoid => Logistic(x),
        Tanh => MathF.Tanh(x),
        Relu => x > 0f ? x : 0f,
        LeakyRelu => x > 0f ? x : alpha * x,
        _ => x,
    };

    /// <summary>f′(x) · dy, from x and y = f(x).</summary>
    public static float ActivationGradient(int kind, float alpha, float x, float y, float dy) => kind switch
    {
        Sigmoid => dy * y * (1f - y),
        Tanh => dy * (1f - y * y),
        Relu => x > 0f ? dy : 0f,
        LeakyRelu => x > 0f ? dy : alpha * dy,
        _ => dy,
    };

    /// <summary>The logistic function, written so that neither branch overflows exp for large |x|.</summary>
    public static float Logistic(float x)
    {
        if (x >= 0f) return 1f / (1f + MathF.Exp(-x));
        float e = MathF.Exp(x);
        return e / (1f + e);
    }

    public static float ClipProbability(float p) => p < LossEpsilon ? LossEpsilon
        : p > 1f - LossEpsilon ? 1f - LossEpsilon : p;

    public static float Max(float a, float b) => a > b ? a : b;
}
