namespace GpuNet.Accelerators;

/// <summary>
/// Where an optimizer's update also adds Σg² of the gradient it reads: accumulator[index] += Σg², as
/// <see cref="IAccelerator.AccumulatePenalty"/>(gradient, length, 0, 1, 1, index, accumulator) adds it. The
/// gradient norms are summed after every step; taken in the update's own pass, the gradient is read once, not
/// twice.
/// </summary>
public readonly record struct GradientSquares(DeviceBuffer Accumulator, int Index);
