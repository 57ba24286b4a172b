namespace GpuNet.Accelerators;

/// <summary>
/// The kernel layer: every computation of training goes through one of these calls, so the CPU
/// and the ILGPU accelerators are interchangeable under the graph.
/// </summary>
/// <remarks>
/// Contracts shared by all implementations:
/// <list type="bullet">
/// <item>Tensors are float32, row-major, batch first. Parameters go inputs, then sizes, then outputs.</item>
/// <item>Backward kernels <b>accumulate</b> (<c>dx += …</c>) into their gradient buffers, so a value
/// that feeds several ops gets the sum of their gradients; the caller zeroes those once per step. The
/// few that say so set their gradient instead (<c>…Set</c>, or a <c>set</c> flag): the execution
/// plan's gradient setting uses them where an op is a buffer's only writer, and leaves that
/// buffer unzeroed.</item>
/// <item>Kernels are asynchronous with respect to the host on devices that allow it;
/// <see cref="Download"/> and <see cref="Synchronize"/> wait for queued work.</item>
/// </list>
/// </remarks>
public interface IAccelerator : IDisposable
{
    /// <summary>Short name shown to the user, e.g. "cpu".</summary>
    string Name { get; }

    /// <summary>What a run prints about where it computes, e.g. "cpu (2 threads)"; by default the name.</summary>
    string Description => Name;

    /// <summary>
    /// Training steps between two reads of the loss and accuracy on the host. A read waits for the
    /// device, so a GPU reads every few dozen steps (the loss of each step is kept on the device
    /// meanwhile, and the first non-finite one is still named); where reading costs nothing, every step.
    /// </summary>
    int StepsPerMetricsRead => 1;

    /// <summary>
    /// Whether the trainer makes the next batch on a thread of its own while a step runs: so where the
    /// steps leave the host's cores free (a GPU). Where they take every core, that thread runs only
    /// by taking one from a step, and handing its batch over costs more than making it; the batch is
    /// then made on the training thread, just before its step.
    /// </summary>
    bool PreparesBatchesBesideSteps => true;

    /// <summary>The memory of the device the buffers live on, in bytes; null where they live in the host's
    /// memory.</summary>
    long? DeviceMemoryBytes => null;

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
    /// a is stored [m, k], or [k, m] when <paramref name="transposeA"/>; b is stored [k, n], or [n, k] when <paramref
    /// name="transposeB"/>.
    /// </summary>
    void Gemm(bool transposeA, bool transposeB, DeviceBuffer a, DeviceBuffer b, int m, int n, int k, float alpha,
        float beta, DeviceBuffer c);

    /// <summary>
    /// The backward of a Dense layer's y [batch, outputs] = x [batch, inputs] · kernel [inputs, outputs] + bias, from
    /// dy [batch, outputs]: dKernel = xᵀ · dy, dBias = Σ over the rows of dy, dx = dy · kernelᵀ, each set or added to
    /// as <paramref name="gradients"/> says. By default the three in turn; an accelerator may run them side by side.
    /// </summary>
    void DenseBackward(DeviceBuffer x, DeviceBuffer kernel, DeviceBuffer dy, int batch, int inputs, int outputs,
        DenseGradients gradients) =>
        gradients.InTurn(this, x, kernel, dy, batch, inputs, outputs);

    /// <summary>y = a + b elementwise.</summary>
    void Add(DeviceBuffer a, DeviceBuffer b, int length, DeviceBuffer y);

    /// <summary>x[r, c] += bias[c] for x [rows, cols].</summary>
    void AddBias(DeviceBuffer bias, int rows, int cols, DeviceBuffer x);

    /// <summary>dBias[c] += Σ_r dy[r, c] for dy [rows, cols].</summary>
    void BiasGradient(DeviceBuffer dy, int rows, int cols, DeviceBuffer dBias);

    /// <summary>y = f(x) elementwise over <paramref name="length"/> elements.</summary>
    void ActivationForward(ActivationKind kind, float alpha, DeviceBuffer x, int length, DeviceBuffer y);

    /// <summary>dx += f'(x) · dy, given x and y = f(x).</summary>
    void ActivationBackward(ActivationKind kind, float alpha, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy,
        int length, DeviceBuffer dx);

    /// <summary>
    /// As <see cref="ActivationBackward"/>, but dx is set to dy · f′ rather than added to, for a
    /// gradient no other op writes. By default a fill and the accumulating kernel.
    /// </summary>
    void ActivationBackwardSet(ActivationKind kind, float alpha, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy,
        int length, DeviceBuffer dx)
    {
        Fill(0f, length, dx);
        ActivationBackward(kind, alpha, x, y, dy, length, dx);
    }

    /// <summary>y = softmax(x) over each row of x [rows, cols].</summary>
    void SoftmaxForward(DeviceBuffer x, int rows, int cols, DeviceBuffer y);

    /// <summary>dx += y ⊙ (dy − Σ_c dy·y) per row, given y = softmax(x).</summary>
    void SoftmaxBackward(DeviceBuffer y, DeviceBuffer dy, int rows, int cols, DeviceBuffer dx);

    /// <summary>
    /// lossPerSample[r] = loss of row r of <paramref name="prediction"/> [rows, cols] against
    /// <paramref name="target"/> [rows, cols]. For <see cref="LossKind.SoftmaxCrossEntropy"/> the prediction is the
    /// logits.
    /// </summary>
    void LossForward(LossKind kind, DeviceBuffer prediction, DeviceBuffer target, int rows, int cols,
        DeviceBuffer lossPerSample);

    /// <summary>dPrediction += scale · ∂loss/∂prediction, row by row.</summary>
    void LossBackward(LossKind kind, DeviceBuffer prediction, DeviceBuffer target, int rows, int cols, float scale,
        DeviceBuffer dPrediction);

    /// <summary>accumulator[index] += Σ values[0..length).</summary>
    void AccumulateSum(DeviceBuffer values, int length, int index, DeviceBuffer accumulator);

    /// <summary>accumulator[index] += number of rows whose arg-max in prediction equals the arg-max in
    /// target.</summary>
    void AccumulateCorrect(DeviceBuffer prediction, DeviceBuffer target, int rows, int cols, int index,
        DeviceBuffer accumulator);

    // Optimizer updates: one fused kernel per parameter tensor. Scalars that depend only on the
    // step (decayed learning rate, bias corrections) are computed once on the host. Each also adds
    // Σg² to an accumulator where it is given squares (GradientSquares).

    /// <summary>
    /// SGD: v = momentum·v − lr·g; w += v, or w += momentum·v − lr·g with Nesterov. Without momentum
    /// (<paramref name="velocity"/> null) w −= lr·g.
    /// </summary>
    void SgdUpdate(DeviceBuffer gradient, int length, float learningRate, float momentum, bool nesterov,
        DeviceBuffer parameter, DeviceBuffer? velocity, GradientSquares? squares = null);

    /// <summary>Adagrad: a += g²; w −= lr·g / (√a + ε).</summary>
    void AdagradUpdate(DeviceBuffer gradient, int length, float learningRate, float epsilon, DeviceBuffer parameter,
        DeviceBuffer accumulator, GradientSquares? squares = null);

    /// <summary>Adadelta: a = ρa + (1−ρ)g²; u = g·√(d + ε)/√(a + ε); w −= lr·u;
    /// d = ρd + (1−ρ)u².</summary>
    void AdadeltaUpdate(DeviceBuffer gradient, int length, float learningRate, float rho, float epsilon,
        DeviceBuffer parameter, DeviceBuffer accumulator, DeviceBuffer deltaAccumulator,
        GradientSquares? squares = null);

    /// <summary>RMSprop: a = ρa + (1−ρ)g²; w −= lr·g / (√a + ε).</summary>
    void RmspropUpdate(DeviceBuffer gradient, int length, float learningRate, float rho, float epsilon,
        DeviceBuffer parameter, DeviceBuffer accumulator, GradientSquares? squares = null);

    /// <summary>Adam with the bias correction folded into <paramref name="correctedLearningRate"/>:
    /// m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²; w −= lr_t·m / (√v + ε).</summary>
    void AdamUpdate(DeviceBuffer gradient, int length, float correctedLearningRate, float beta1, float beta2,
        float epsilon, DeviceBuffer parameter, DeviceBuffer firstMoment, DeviceBuffer secondMoment,
        GradientSquares? squares = null);

    /// <summary>Adamax: m = β₁m + (1−β₁)g; u = max(β₂u, |g|); w −= lr_t·m / (u + ε).</summary>
    void AdamaxUpdate(DeviceBuffer gradient, int length, float correctedLearningRate, float beta1, float beta2,
        float epsilon, DeviceBuffer parameter, DeviceBuffer firstMoment, DeviceBuffer infinityNorm,
        GradientSquares? squares = null);

    /// <summary>Nadam (Keras 2): Adam with Nesterov momentum under a warming momentum schedule; the schedule's scalars
    /// come from the host.</summary>
    void NadamUpdate(DeviceBuffer gradient, int length, in NadamScalars scalars, DeviceBuffer parameter,
        DeviceBuffer firstMoment, DeviceBuffer secondMoment, GradientSquares? squares = null);

    // Weight penalties (kernel_regularizer).

    /// <summary>accumulator[index] += scale · (l1·Σ|w| + l2·Σw²).</summary>
    void AccumulatePenalty(DeviceBuffer parameter, int length, float l1, float l2, float scale, int index,
        DeviceBuffer accumulator);

    /// <summary>gradient += l1·sign(w) + 2·l2·w.</summary>
    void PenaltyGradient(DeviceBuffer parameter, int length, float l1, float l2, DeviceBuffer gradient);

    // ── Convolutional networks: convolution (as im2col + GEMM, or an implicit GEMM that lays out no im2col
    // matrix, as the accelerator chooses), pooling, dropout, batch normalization, PReLU ──

    /// <summary>
    /// col [C·kh·kw, N·OH·OW] from x [N, C, H, W]: column n·OH·OW + oh·OW + ow holds the patch under
    /// output position (oh, ow) of image n, row (c·kh + i)·kw + j its element (c, i, j); zero where the
    /// window lies over the padding. One GEMM with the kernel [F, C·kh·kw] then convolves the whole batch.
    /// </summary>
    void Im2Col(DeviceBuffer x, Window2D window, DeviceBuffer col);

    /// <summary>
    /// dx [N, C, H, W] += the adjoint of <see cref="Im2Col"/> applied to dCol [C·kh·kw, N·OH·OW]: every
    /// patch element is added back to the pixel it was copied from.
    /// </summary>
    void Col2Im(DeviceBuffer dCol, Window2D window, DeviceBuffer dx);

    /// <summary>
    /// y [b, a, inner] = x [a, b, inner]. Turns the GEMM's filter-major result [F, N, OH·OW] into NCHW
    /// [N, F, OH·OW], and an NCHW gradient back into filter-major.
    /// </summary>
    void SwapLeadingAxes(DeviceBuffer x, int a, int b, int inner, DeviceBuffer y);

    /// <summary>
    /// The lengths of the two workspaces this accelerator's <see cref="Conv2DForward"/> and
    /// <see cref="Conv2DBackward"/> (and the pooled pair) read for this convolution, which the
    /// caller allocates. By default those of the batched im2col form: col [C·kh·kw, N·OH·OW] and
    /// filterMajor [F, N·OH·OW]. An accelerator that never reads them asks for 0 and gets empty buffers.
    /// </summary>
    (int Columns, int FilterMajor) Conv2DWorkspaceLengths(Window2D window, int filters) =>
        (checked(window.PatchSize * window.PatchCount), checked(filters * window.PatchCount));

    /// <summary>
    /// y [N, F, OH, OW] = kernel [F, C·kh·kw] applied to every patch of x [N, C, H, W] (+ bias [F] where
    /// given): the whole convolution, which an accelerator may run as <see cref="Im2Col"/>, one GEMM and
    /// <see cref="SwapLeadingAxes"/> over col [C·kh·kw, N·OH·OW] and filterMajor [F, N·OH·OW], or in
    /// pieces that stay in cache. Both workspaces are the caller's and are left for the backward.
    /// </summary>
    void Conv2DForward(DeviceBuffer x, DeviceBuffer kernel, DeviceBuffer? bias, Window2D window, int filters,
        DeviceBuffer col, DeviceBuffer filterMajor, DeviceBuffer y);

    /// <summary>
    /// The convolution's backward after its <see cref="Conv2DForward"/> with the same x and workspaces:
    /// dKernel [F, C·kh·kw] += Σ dy · patchesᵀ, dBias [F] += Σ dy where given, dx [N, C, H, W] +=
    /// col2im(kernelᵀ · dy) where given (not for the data input), or dx = … when <paramref name="setDx"/>.
    /// </summary>
    void Conv2DBackward(DeviceBuffer x, DeviceBuffer kernel, DeviceBuffer dy, Window2D window, int filters,
        DeviceBuffer col, DeviceBuffer filterMajor, DeviceBuffer dKernel, DeviceBuffer? dBias, DeviceBuffer? dx,
            bool setDx);

    /// <summary>
    /// Pooling fusion: a convolution whose output only a max pooling reads, and the pooling, as one
    /// step: the pooling's y and argmax as <see cref="MaxPoolForward"/> (<see cref="MaxPoolReluForward"/>
    /// where a ReLU is fused into it) gives them for the convolution's output. By default the two in
    /// turn through <paramref name="convOutput"/>; an accelerator that pools each image's output
    /// while it is in cache may leave that buffer untouched.
    /// </summary>
    void Conv2DMaxPoolForward(ConvolutionStep convolution, DeviceBuffer? bias, DeviceBuffer convOutput,
        PoolingStep pooling)
    {
        var c = convolution;
        Conv2DForward(c.X, c.Kernel, bias, c.Window, c.Filters, c.Columns, c.FilterMajor, convOutput);
        if (pooling.Relu) MaxPoolReluForward(convOutput, pooling.Window, pooling.Y, pooling.Argmax);
        else MaxPoolForward(convOutput, pooling.Window, pooling.Y, pooling.Argmax);
    }

    /// <summary>
    /// The backward of <see cref="Conv2DMaxPoolForward"/> from dy at the pooling's output: the
    /// convolution's gradients as <see cref="Conv2DBackward"/> gives them for its own dy. By default
    /// that dy is set in <paramref name="convOutputGradient"/> first (with <paramref name="masked"/>,
    /// the size of y, for a fused ReLU's backward); an accelerator may make it piece by piece instead.
    /// </summary>
    void Conv2DMaxPoolBackward(ConvolutionStep convolution, PoolingStep pooling, DeviceBuffer dy,
        DeviceBuffer convOutputGradient, DeviceBuffer? masked, ConvolutionGradients gradients)
    {
        var (c, p) = (convolution, pooling);
        if (p.Relu)
            MaxPoolReluBackward(dy, p.Y, p.Argmax, p.Window, convOutputGradient,
                masked ?? throw new ArgumentNullException(nameof(masked)), set: true);
        else MaxPoolBackwardSet(dy, p.Argmax, p.Window, convOutputGradient);
        Conv2DBackward(c.X, c.Kernel, convOutputGradient, c.Window, c.Filters, c.Columns, c.FilterMajor,
            gradients.Kernel, gradients.Bias, gradients.Input, gradients.SetInput);
    }

    /// <summary>y[n, c, s] += bias[c] for y [batch, channels, spatial].</summary>
    void AddChannelBias(DeviceBuffer bias, int batch, int channels, int spatial, DeviceBuffer y);

    /// <summary>dBias[c] += Σ_n Σ_s dy[n, c, s] for dy [batch, channels, spatial].</summary>
    void ChannelBiasGradient(DeviceBuffer dy, int batch, int channels, int spatial, DeviceBuffer dBias);

    /// <summary>
    /// y [N, C, OH, OW] = the largest element of each window of x [N, C, H, W], padding ignored.
    /// argmax [N, C, OH, OW] records where it was, as the offset h·W + w within its input plane
    /// (a float, exact below 2²⁴ pixels per plane); on ties the first in row-major window order wins.
    /// </summary>
    void MaxPoolForward(DeviceBuffer x, Window2D window, DeviceBuffer y, DeviceBuffer argmax);

    /// <summary>dx [N, C, H, W] += dy routed to the element each window took its maximum from.</summary>
    void MaxPoolBackward(DeviceBuffer dy, DeviceBuffer argmax, Window2D window, DeviceBuffer dx);

    /// <summary>As <see cref="MaxPoolBackward"/>, but dx is set (zero where no maximum was) rather than added to. By
    /// default a fill and the accumulating kernel.</summary>
    void MaxPoolBackwardSet(DeviceBuffer dy, DeviceBuffer argmax, Window2D window, DeviceBuffer dx)
    {
        Fill(0f, window.InputLength, dx);
        MaxPoolBackward(dy, argmax, window, dx);
    }

    /// <summary>
    /// y = ReLU(max pool(x)), for a ReLU fused into the pooling (ReLU fusion; the same values:
    /// the maximum of a window's ReLU is the ReLU of its maximum). By default the two kernels.
    /// </summary>
    void MaxPoolReluForward(DeviceBuffer x, Window2D window, DeviceBuffer y, DeviceBuffer argmax)
    {
        MaxPoolForward(x, window, y, argmax);
        ActivationForward(ActivationKind.Relu, 0f, y, window.Batch * window.Channels * window.OutputPlane, y);
    }

    /// <summary>
    /// The backward of <see cref="MaxPoolReluForward"/>: dx (+)= the max-pool gradient of
    /// dy · (y &gt; 0), dx set when <paramref name="set"/>. By default the ReLU's backward into
    /// <paramref name="masked"/> (the size of y), then the pooling's.
    /// </summary>
    void MaxPoolReluBackward(DeviceBuffer dy, DeviceBuffer y, DeviceBuffer argmax, Window2D window, DeviceBuffer dx,
        DeviceBuffer masked, bool set)
    {
        ActivationBackwardSet(ActivationKind.Relu, 0f, y, y, dy, window.Batch * window.Channels * window.OutputPlane,
            masked);
        if (set) MaxPoolBackwardSet(masked, argmax, window, dx);
        else MaxPoolBackward(masked, argmax, window, dx);
    }

    /// <summary>
    /// y [N, C, OH, OW] = the mean of each window of x [N, C, H, W] over the elements inside the image
    /// (Keras's 'same' padding divides by that count, not by kh·kw).
    /// </summary>
    void AveragePoolForward(DeviceBuffer x, Window2D window, DeviceBuffer y);

    /// <summary>dx += dy / count, spread over each window's elements inside the image.</summary>
    void AveragePoolBackward(DeviceBuffer dy, Window2D window, DeviceBuffer dx);

    /// <summary>y [N, C, OH, OW] = √(Σ x²) over each window of x [N, C, H, W] (L2 pooling), padding
    /// ignored.</summary>
    void L2PoolForward(DeviceBuffer x, Window2D window, DeviceBuffer y);

    /// <summary>dx += dy · x / y over each window, given y from <see cref="L2PoolForward"/>; nothing where y =
    /// 0.</summary>
    void L2PoolBackward(DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, Window2D window, DeviceBuffer dx);

    /// <summary>
    /// Inverted dropout over <paramref name="length"/> elements: element i is kept iff
    /// <c>Philox.Uniform(seed, stream, i) ≥ rate</c>, so every accelerator draws the same mask.
    /// mask[i] = 1 / (1 − rate) where kept and 0 where dropped; y = x · mask.
    /// With <paramref name="afterRelu"/>, the dropout of ReLU(x), with the ReLU's gradient in the mask: where x is not
    /// positive, mask[i] = 0 and y[i] = +0, so that <see cref="DropoutBackward"/> passes no gradient there.
    /// </summary>
    void DropoutForward(DeviceBuffer x, int length, float rate, ulong seed, ulong stream, DeviceBuffer y,
        DeviceBuffer mask, bool afterRelu = false);

    /// <summary>dx += dy · mask, with the mask from <see cref="DropoutForward"/>.</summary>
    void DropoutBackward(DeviceBuffer dy, DeviceBuffer mask, int length, DeviceBuffer dx);

    /// <summary>
    /// As <see cref="DropoutBackward"/>, but dx is set to dy · mask rather than added to, for a
    /// gradient no other op writes. By default a fill and the accumulating kernel.
    /// </summary>
    void DropoutBackwardSet(DeviceBuffer dy, DeviceBuffer mask, int length, DeviceBuffer dx)
    {
        Fill(0f, length, dx);
        DropoutBackward(dy, mask, length, dx);
    }

    /// <summary>
    /// Batch normalization with the batch's statistics, x and y [batch, channels, spatial]: per channel,
    /// mean and biased variance over batch and spatial, y = gamma · (x − mean) / √(var + ε) + beta.
    /// saved [2, channels] receives the mean and 1/√(var + ε) for the backward pass; the moving
    /// statistics are updated in place, moving = moving · momentum + batch · (1 − momentum).
    /// A null gamma stands for ones (scale = false), a null beta for zeros (center = false).
    /// </summary>
    void BatchNormForwardTraining(DeviceBuffer x, DeviceBuffer? gamma, DeviceBuffer? beta, int batch, int channels,
        int spatial,
        float momentum, float epsilon, DeviceBuffer y, DeviceBuffer saved, DeviceBuffer movingMean,
            DeviceBuffer movingVariance);

    /// <summary>Batch normalization with the moving statistics (evaluation): y = gamma · (x − movingMean) /
    /// √(movingVariance + ε) + beta.</summary>
    void BatchNormForwardInference(DeviceBuffer x, DeviceBuffer? gamma, DeviceBuffer? beta, DeviceBuffer movingMean,
        DeviceBuffer movingVariance, int batch, int channels, int spatial, float epsilon, DeviceBuffer y);

    /// <summary>
    /// Gradients of <see cref="BatchNormForwardTraining"/> through the batch statistics, given its saved
    /// [2, channels]: dx += gamma/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)), dGamma += Σ dy · x̂,
    /// dBeta += Σ dy, means and sums per channel over batch and spatial. A null output buffer is skipped.
    /// With <paramref name="setDx"/>, dx = 0 + that gradient, what adding to a zeroed dx gives, without reading dx.
    /// </summary>
    void BatchNormBackward(DeviceBuffer x, DeviceBuffer? gamma, DeviceBuffer saved, DeviceBuffer dy, int batch,
        int channels, int spatial, DeviceBuffer? dx, DeviceBuffer? dGamma, DeviceBuffer? dBeta, bool setDx = false);

    /// <summary>y[n, u] = x[n, u] for x &gt; 0, alpha[u] · x[n, u] otherwise, for x [batch, units] (PReLU: a learned
    /// slope per unit).</summary>
    void PReluForward(DeviceBuffer x, DeviceBuffer alpha, int batch, int units, DeviceBuffer y);

    /// <summary>dx += dy · (x &gt; 0 ? 1 : alpha); dAlpha[u] += Σ_n dy · x where x ≤ 0. A null dx is
    /// skipped.</summary>
    void PReluBackward(DeviceBuffer x, DeviceBuffer alpha, DeviceBuffer dy, int batch, int units, DeviceBuffer? dx,
        DeviceBuffer dAlpha);
}
