using GpuNet.Accelerators;
using GpuNet.Parameters;

namespace GpuNet.Graph;

/// <summary>
/// A differentiable operation: shape rule, forward and backward side by side. Ops hold their
/// parameters but no per-batch state; buffers come from the execution plan.
/// </summary>
public abstract class Op
{
    /// <summary>Short name for errors and summaries, e.g. "matmul".</summary>
    public abstract string Name { get; }

    /// <summary>The per-sample output shape, or a <see cref="GpuNetException"/> that says why the inputs do not
    /// fit.</summary>
    public abstract int[] OutputShape(IReadOnlyList<int[]> inputShapes);

    public virtual IReadOnlyList<Parameter> Parameters => [];

    /// <summary>
    /// True when the output is the first input's memory seen with another shape (reshape,
    /// flatten): the plan then shares buffers and gradients and the op does no work.
    /// </summary>
    public virtual bool IsView => false;

    /// <summary>Scratch floats this op keeps from forward to backward (a dropout mask, an im2col matrix).</summary>
    public virtual int WorkspaceLength(int batchSize, IReadOnlyList<int[]> inputShapes) => 0;

    /// <summary>
    /// The lengths of every scratch buffer on <paramref name="accelerator"/>, for an op that needs
    /// more than one or whose needs depend on the accelerator (a convolution's im2col matrix and
    /// GEMM result, which only some accelerators use); <see cref="OpTensors.Workspaces"/> holds them
    /// in this order. By default the single buffer of <see cref="WorkspaceLength"/>, or none.
    /// </summary>
    public virtual int[] WorkspaceLengths(int batchSize, IReadOnlyList<int[]> inputShapes, IAccelerator accelerator) =>
        WorkspaceLength(batchSize, inputShapes) is > 0 and var length ? [length] : [];

    /// <summary>
    /// Gradient setting (<see cref="PlanRewrites"/>): true when the backward can set its first input's
    /// gradient (dx = …) rather than add to it, where <see cref="OpTensors.SetsInputGradient"/> says
    /// it is the only op to write it: the plan then need not zero that gradient before the step.
    /// </summary>
    public virtual bool CanSetInputGradient => false;

    /// <summary>
    /// Gradient setting for parameters (<see cref="PlanRewrites"/>): true when the backward can set
    /// the gradient of <see cref="Parameters"/>[<paramref name="index"/>] (dW = …) rather than add to
    /// it, where <see cref="OpTensors.SetsParameterGradient"/> says it is the first op of the backward
    /// pass to write it: the step then need not zero that gradient first.
    /// </summary>
    public virtual bool CanSetParameterGradient(int index) => false;

    /// <summary>
    /// ReLU fusion (<see cref="PlanRewrites"/>): true when op(ReLU(x)) = ReLU(op(x)) exactly, values
    /// and gradients (max pooling: the largest of a window stays the largest after a ReLU, and where
    /// it is not positive the gradient is zero either way; dropout: its mask is never negative), and the op
    /// applies that ReLU itself where <see cref="OpTensors.FusesRelu"/> says so.
    /// </summary>
    public virtual bool CanFuseRelu => false;

    /// <summary>Whether an op that runs a fused ReLU needs a buffer the size of its output for the ReLU's gradient
    /// (<see cref="OpTensors.FusedReluGradient"/>).</summary>
    public virtual bool NeedsFusedReluGradient => CanFuseRelu;

    /// <summary>True for a plain ReLU, y = max(x, 0): what an op that <see cref="CanFuseRelu"/> can take in.</summary>
    public virtual bool IsRelu => false;

    /// <summary>
    /// Pooling fusion (<see cref="PlanRewrites"/>): true when this op can run together with
    /// <paramref name="pooling"/>, an op that alone reads its output, in one step
    /// (<see cref="ForwardFused"/>, <see cref="BackwardFused"/>): a convolution with a max pooling.
    /// </summary>
    public virtual bool CanFusePooling(Op pooling) => false;

    /// <summary>
    /// This op and the <paramref name="pooling"/> it <see cref="CanFusePooling"/> as one step, which
    /// writes the pooling's output; <paramref name="pooled"/> are the pooling's tensors (with its
    /// fused ReLU, where <see cref="OpTensors.FusesRelu"/>).
    /// </summary>
    public virtual void ForwardFused(OpContext context, OpTensors tensors, Op pooling, OpTensors pooled) =>
        throw new NotSupportedException($"{Name} does not run together with {pooling.Name}");

    /// <summary>The backward of <see cref="ForwardFused"/>, from the gradient at the pooling's output.</summary>
    public virtual void BackwardFused(OpContext context, OpTensors tensors, Op pooling, OpTensors pooled) =>
        throw new NotSupportedException($"{Name} does not run together with {pooling.Name}");

    public abstract void Forward(OpContext context, OpTensors tensors);

    /// <summary>
    /// Adds this op's contribution to each non-null input gradient (or sets the first input's, where
    /// <see cref="OpTensors.SetsInputGradient"/>) and adds to its parameters' gradients (or sets those
    /// <see cref="OpTensors.SetsParameterGradient"/> names).
    /// </summary>
    public abstract void Backward(OpContext context, OpTensors tensors);
}
