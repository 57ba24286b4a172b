namespace GpuNet.Accelerators;

/// <summary>
/// The kernel layer: every computation of training goes through one of these calls, so the CPU
/// and the CUDA accelerators are interchangeable under the graph.
/// </summary>
/// <remarks>
/// Contracts shared by all implementations:
/// <list type="bullet">
/// <item>Tensors are float32, row-major, batch first. Parameters go inputs, then sizes, then outputs.</item>
/// <item>Backward kernels <b>accumulate</b> (<c>dx += …</c>) into their gradient buffers, so a value
/// that feeds several ops gets the sum of their gradients; callers zero gradients once per step.</item>
/// <item>Kernels are asynchronous with respect to the host on devices that allow it;
/// <see cref="Download"/> and <see cref="Synchronize"/> wait for queued work.</item>
/// </list>
/// </remarks>
public interface IAccelerator : IDisposable
{
    /// <summary>Short name shown to the user, e.g. "cpu".</summary>
    string Name { get; }

    /// <summary>A zero-filled buffer of <paramref name="length"/> floats.</summary>
    DeviceBuffer Allocate(int length);

    void Upload(ReadOnlySpan<float> source, DeviceBuffer destination);

    void Download(DeviceBuffer source, Span<float> destination);

    /// <summary>Sets the first <paramref name="length"/> elements of the buffer to <paramref name="value"/>.</summary>
    void Fill(float value, int length, DeviceBuffer buffer);

    /// <summary>Waits until every queued kernel has finished.</summary>
    void Synchronize();

    /// <summary>
    /// c = alpha · op(a) · op(b) + beta · c, with op(a) [m, k], op(b) [k, n], c [m, n].
    /// a is stored [m, k], or [k, m] when <paramref name="transposeA"/>; b is stored [k, n], or [n, k] when <paramref name="transposeB"/>.
    /// </summary>
    void Gemm(bool transposeA, bool transposeB, DeviceBuffer a, DeviceBuffer b, int m, int n, int k, float alpha, float beta, DeviceBuffer c);

    /// <summary>y = a + b elementwise.</summary>
    void Add(DeviceBuffer a, DeviceBuffer b, int length, DeviceBuffer y);

    /// <summary>x[r, c] += bias[c] for x [rows, cols].</summary>
    void AddBias(DeviceBuffer bias, int rows, int cols, DeviceBuffer x);

    /// <summary>dBias[c] += Σ_r dy[r, c] for dy [rows, cols].</summary>
    void BiasGradient(DeviceBuffer dy, int rows, int cols, DeviceBuffer dBias);

    /// <summary>y = f(x) elementwise over <paramref name="length"/> elements.</summary>
    void ActivationForward(ActivationKind kind, float alpha, DeviceBuffer x, int length, DeviceBuffer y);

    /// <summary>dx += f'(x) · dy, given x and y = f(x).</summary>
    void ActivationBackward(ActivationKind kind, float alpha, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, int length, DeviceBuffer dx);

    /// <summary>y = softmax(x) over each row of x [rows, cols].</summary>
    void SoftmaxForward(DeviceBuffer x, int rows, int cols, DeviceBuffer y);

    /// <summary>dx += y ⊙ (dy − Σ_c dy·y) per row, given y = softmax(x).</summary>
    void SoftmaxBackward(DeviceBuffer y, DeviceBuffer dy, int rows, int cols, DeviceBuffer dx);

    /// <summary>
    /// lossPerSample[r] = loss of row r of <paramref name="prediction"/> [rows, cols] against
    /// <paramref name="target"/> [rows, cols]. For <see cref="LossKind.SoftmaxCrossEntropy"/> the prediction is the logits.
    /// </summary>
    void LossForward(LossKind kind, DeviceBuffer prediction, DeviceBuffer target, int rows, int cols, DeviceBuffer lossPerSample);

    /// <summary>dPrediction += scale · ∂loss/∂prediction, row by row.</summary>
    void LossBackward(LossKind kind, DeviceBuffer prediction, DeviceBuffer target, int rows, int cols, float scale, DeviceBuffer dPrediction);

    /// <summary>accumulator[index] += Σ values[0..length).</summary>
    void AccumulateSum(DeviceBuffer values, int length, int index, DeviceBuffer accumulator);

    /// <summary>accumulator[index] += number of rows whose arg-max in prediction equals the arg-max in target.</summary>
    void AccumulateCorrect(DeviceBuffer prediction, DeviceBuffer target, int rows, int cols, int index, DeviceBuffer accumulator);

    // Optimizer updates: one fused kernel per parameter tensor. Scalars that depend only on the
    // step (decayed learning rate, bias corrections) are computed once on the host.

    /// <summary>
    /// SGD: v = momentum·v − lr·g; w += v, or w += momentum·v − lr·g with Nesterov. Without momentum
    /// (<paramref name="velocity"/> null) w −= lr·g.
    /// </summary>
    void SgdUpdate(DeviceBuffer gradient, int length, float learningRate, float momentum, bool nesterov, DeviceBuffer parameter, DeviceBuffer? velocity);

    /// <summary>Adagrad: a += g²; w −= lr·g / (√a + ε).</summary>
    void AdagradUpdate(DeviceBuffer gradient, int length, float learningRate, float epsilon, DeviceBuffer parameter, DeviceBuffer accumulator);

    /// <summary>Adadelta: a = ρa + (1−ρ)g²; u = g·√(d + ε)/√(a + ε); w −= lr·u; d = ρd + (1−ρ)u².</summary>
    void AdadeltaUpdate(DeviceBuffer gradient, int length, float learningRate, float rho, float epsilon, DeviceBuffer parameter, DeviceBuffer accumulator, DeviceBuffer deltaAccumulator);

    /// <summary>RMSprop: a = ρa + (1−ρ)g²; w −= lr·g / (√a + ε).</summary>
    void RmspropUpdate(DeviceBuffer gradient, int length, float learningRate, float rho, float epsilon, DeviceBuffer parameter, DeviceBuffer accumulator);

    /// <summary>Adam with the bias correction folded into <paramref name="correctedLearningRate"/>: m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²; w −= lr_t·m / (√v + ε).</summary>
    void AdamUpdate(DeviceBuffer gradient, int length, float correctedLearningRate, float beta1, float beta2, float epsilon, DeviceBuffer parameter, DeviceBuffer firstMoment, DeviceBuffer secondMoment);

    /// <summary>Adamax: m = β₁m + (1−β₁)g; u = max(β₂u, |g|); w −= lr_t·m / (u + ε).</summary>
    void AdamaxUpdate(DeviceBuffer gradient, int length, float correctedLearningRate, float beta1, float beta2, float epsilon, DeviceBuffer parameter, DeviceBuffer firstMoment, DeviceBuffer infinityNorm);

    /// <summary>Nadam (Keras 2): Adam with Nesterov momentum under a warming momentum schedule; the schedule's scalars come from the host.</summary>
    void NadamUpdate(DeviceBuffer gradient, int length, in NadamScalars scalars, DeviceBuffer parameter, DeviceBuffer firstMoment, DeviceBuffer secondMoment);

    // Weight penalties (kernel_regularizer).

    /// <summary>accumulator[index] += scale · (l1·Σ|w| + l2·Σw²).</summary>
    void AccumulatePenalty(DeviceBuffer parameter, int length, float l1, float l2, float scale, int index, DeviceBuffer accumulator);

    /// <summary>gradient += l1·sign(w) + 2·l2·w.</summary>
    void PenaltyGradient(DeviceBuffer parameter, int length, float l1, float l2, DeviceBuffer gradient);
}
