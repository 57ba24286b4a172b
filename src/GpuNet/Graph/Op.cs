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

    /// <summary>The per-sample output shape, or a <see cref="GpuNetException"/> that says why the inputs do not fit.</summary>
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
    /// True when the backward can set its first input's gradient (dx = …) rather than add to it,
    /// where <see cref="OpTensors.SetsInputGradient"/> says it is the only op to write it: the plan
    /// then need not zero that gradient before the step.
    /// </summary>
    public virtual bool CanSetInputGradient => false;

    /// <summary>
    /// True when op(ReLU(x)) = ReLU(op(x)) exactly, values and gradients (max pooling: the
    /// largest of a window stays the largest after a ReLU, and where it is not positive the
    /// gradient is zero either way), and the op applies that ReLU itself where
    /// <see cref="OpTensors.AppliesRelu"/> says so. The plan then runs a ReLU whose output only
    /// this op reads after the op instead, on its output (a quarter of the values for 2×2 pooling),
    /// and gives the ReLU no buffers of its own.
    /// </summary>
    public virtual bool CanApplyReluAfter => false;

    /// <summary>True for a plain ReLU, y = max(x, 0): what an op that <see cref="CanApplyReluAfter"/> can take in.</summary>
    public virtual bool IsRelu => false;

    public abstract void Forward(OpContext context, OpTensors tensors);

    /// <summary>Adds this op's contribution to each non-null input gradient and to its parameters' gradients.</summary>
    public abstract void Backward(OpContext context, OpTensors tensors);
}
