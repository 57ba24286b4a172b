using GpuNet.Tensors;

namespace GpuNet.Graph;

/// <summary>The tensors of one node for one batch size, all shaped [batch, …].</summary>
public sealed class OpTensors(IReadOnlyList<Tensor> inputs, Tensor output, IReadOnlyList<Tensor?> inputGradients,
    Tensor? outputGradient, Tensor? workspace)
{
    public IReadOnlyList<Tensor> Inputs { get; } = inputs;

    public Tensor Output { get; } = output;

    /// <summary>Null where an input needs no gradient (the data), so the op can skip that work.</summary>
    public IReadOnlyList<Tensor?> InputGradients { get; } = inputGradients;

    public Tensor? OutputGradient { get; } = outputGradient;

    public Tensor? Workspace { get; } = workspace;

    /// <summary>Every scratch tensor, in the order of <see cref="Op.WorkspaceLengths"/>; the first is <see
    /// cref="Workspace"/>.</summary>
    public IReadOnlyList<Tensor> Workspaces { get; init; } = workspace is null ? [] : [workspace];

    public Tensor Input => Inputs[0];

    /// <summary>
    /// Set by the plan for an op that <see cref="Op.CanSetInputGradient"/> and is the first in the
    /// backward pass to write its input's gradient, which nothing else seeds: its backward then
    /// sets that gradient instead of adding to it, and the plan leaves it unzeroed.
    /// </summary>
    public bool SetsInputGradient { get; init; }

    /// <summary>
    /// Per parameter of the op, in the order of <see cref="Op.Parameters"/>: set by the plan where the
    /// op <see cref="Op.CanSetParameterGradient"/> and is the first in the backward pass to write that
    /// gradient; its backward then sets it instead of adding to it, and the step leaves it unzeroed.
    /// </summary>
    public IReadOnlyList<bool> SetsParameterGradients { get; init; } = [];

    public bool SetsParameterGradient(int index) =>
        index < SetsParameterGradients.Count && SetsParameterGradients[index];

    /// <summary>
    /// Set by the plan where a ReLU in front of this op is fused into it (<see cref="Op.CanFuseRelu"/>):
    /// the input is the ReLU's input, the op applies the ReLU to its output, and its backward takes
    /// the ReLU's mask off the output gradient first.
    /// </summary>
    public bool FusesRelu { get; init; }

    /// <summary>Where <see cref="FusesRelu"/> and gradients are kept: the gradient at the output before the
    /// ReLU.</summary>
    public Tensor? FusedReluGradient { get; init; }
}
