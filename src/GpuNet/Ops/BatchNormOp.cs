using GpuNet.Graph;
using GpuNet.Parameters;

namespace GpuNet.Ops;

/// <summary>
/// Batch normalization over the last Keras axis: per feature of a flat [features] input, per
/// channel of an image [C, H, W] (statistics over the batch and every pixel). Training normalizes
/// with the batch's mean and biased variance and moves the moving statistics towards them;
/// evaluation normalizes with the moving statistics.
/// </summary>
/// <remarks>
/// The moving variance is updated with the biased batch variance, as Keras 3 does (ops.moments) and
/// as Keras 2 does for flat inputs (tf.nn.moments). Keras 2's fused kernel for 4-D inputs uses the
/// unbiased variance there instead; the difference is a factor m / (m − 1) with m = N·H·W values per
/// channel, negligible at the batch sizes used for images.
/// The update happens in the training forward pass, once per step, not in backward.
/// </remarks>
public sealed class BatchNormOp(Parameter? gamma, Parameter? beta, Parameter movingMean, Parameter movingVariance,
    float momentum, float epsilon) : Op
{
    public Parameter? Gamma { get; } = gamma;

    public Parameter? Beta { get; } = beta;

    public Parameter MovingMean { get; } = movingMean;

    public Parameter MovingVariance { get; } = movingVariance;

    public float Momentum { get; } = momentum;

    public float Epsilon { get; } = epsilon;

    private int Channels => MovingMean.Length;

    public override string Name => "batch_norm";

    /// <summary>Keras's order: gamma, beta, moving_mean, moving_variance.</summary>
    public override IReadOnlyList<Parameter> Parameters =>
        new[] { Gamma, Beta, MovingMean, MovingVariance }.OfType<Parameter>().ToList();

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        int[] input = inputShapes[0];
        int features = ChannelsOf(input);
        if (features != Channels)
            throw new GpuNetException($"was built for {Channels} features or channels but gets " +
                $"{features} ({Tensors.ShapeOf.Format(Tensors.ShapeOf.ToChannelsLast(input))})");
        return input;
    }

    /// <summary>The normalized axis: the channels of an image [C, H, W], else the last axis.</summary>
    public static int ChannelsOf(int[] sampleShape) => sampleShape.Length == 3 ? sampleShape[0] : sampleShape[^1];

    /// <summary>The batch mean and 1/√(var + ε) per channel, saved for backward.</summary>
    public override int WorkspaceLength(int batchSize, IReadOnlyList<int[]> inputShapes) =>
        2 * ChannelsOf(inputShapes[0]);

    public override void Forward(OpContext context, OpTensors tensors)
    {
        var (outer, channels, spatial) = Layout(context.BatchSize, tensors);
        var acc = context.Accelerator;
        if (context.Training)
        {
            acc.BatchNormForwardTraining(tensors.Input.Buffer, Gamma?.Value.Buffer, Beta?.Value.Buffer, outer, channels,
                spatial, Momentum, Epsilon,
                tensors.Output.Buffer, tensors.Workspace!.Buffer, MovingMean.Value.Buffer, MovingVariance.Value.Buffer);
        }
        else
        {
            acc.BatchNormForwardInference(tensors.Input.Buffer, Gamma?.Value.Buffer, Beta?.Value.Buffer,
                MovingMean.Value.Buffer, MovingVariance.Value.Buffer,
                outer, channels, spatial, Epsilon, tensors.Output.Buffer);
        }
    }

    public override void Backward(OpContext context, OpTensors tensors)
    {
        if (!context.Training)
            throw new InvalidOperationException("Batch normalization's backward pass needs the batch statistics of a " +
                "training-mode forward pass.");
        var (outer, channels, spatial) = Layout(context.BatchSize, tensors);
        context.Accelerator.BatchNormBackward(tensors.Input.Buffer, Gamma?.Value.Buffer, tensors.Workspace!.Buffer,
            tensors.OutputGradient!.Buffer,
            outer, channels, spatial, tensors.InputGradients[0]?.Buffer, Gamma?.Gradient.Buffer, Beta?.Gradient.Buffer,
            tensors.SetsInputGradient);
    }

    public override bool CanSetInputGradient => true;

    // x as [outer, channels, spatial]: [N, F, 1] flat, [N, C, H·W] for images, [N·H, W, 1] for a rank-2 [H, W].
    private static (int Outer, int Channels, int Spatial) Layout(int batch, OpTensors tensors)
    {
        int[] sample = tensors.Input.Shape[1..];
        return sample.Length == 3
            ? (batch, sample[0], sample[1] * sample[2])
            : (batch * Tensors.ShapeOf.ElementCount(sample.AsSpan(0, sample.Length - 1)), sample[^1], 1);
    }
}
