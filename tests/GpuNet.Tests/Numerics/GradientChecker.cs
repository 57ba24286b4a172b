using GpuNet.Diagnostics;
using GpuNet.Accelerators;
using GpuNet.Graph;
using GpuNet.Parameters;
using GpuNet.Tensors;

namespace GpuNet.Tests.Numerics;

/// <summary>
/// Finite-difference check of one op's backward. With a fixed random projection r, the scalar
/// L = Σ r·op(x) (summed in double on the host) has ∂L/∂x = backward(dy = r); that is compared
/// with (L(x + ε) − L(x − ε)) / 2ε for inputs and parameters.
/// </summary>
public sealed class GradientChecker(IAccelerator accelerator, int seed = 1)
{
    private readonly System.Random _random = new(seed);

    public float Epsilon { get; init; } = 1e-2f;

    /// <summary>float32 forward passes: central differences are good to about 1e-3 here.</summary>
    public Tolerance Tolerance { get; init; } = new(2e-3, 2e-2);

    /// <summary>Inputs are drawn from U(−Range, Range).</summary>
    public float Range { get; init; } = 1f;

    /// <summary>Keeps inputs at least this far from zero, where ReLU-like ops have a kink.</summary>
    public float AvoidZero { get; init; }

    /// <summary>Checks at most this many elements per tensor, spread over it.</summary>
    public int MaxChecksPerTensor { get; init; } = 60;

    public bool Training { get; init; } = true;

    public void Check(Op op, int batch, params int[][] inputSampleShapes)
    {
        int[] outputSample = op.OutputShape(inputSampleShapes);
        var inputs = inputSampleShapes.Select(s => NewTensor(ShapeOf.WithBatch(batch, s), randomize: true)).ToArray();
        var inputGradients = inputs.Select(t => NewTensor(t.Shape, randomize: false)).ToArray();
        Tensor output = NewTensor(ShapeOf.WithBatch(batch, outputSample), randomize: false);
        Tensor projection = NewTensor(output.Shape, randomize: true);
        Tensor[] workspaces = op.WorkspaceLengths(batch, inputSampleShapes, accelerator).Select(length =>
            NewTensor([length], randomize: false)).ToArray();
        foreach (Parameter p in op.Parameters)
        {
            if (!p.IsAllocated) p.Allocate(accelerator);
            accelerator.Upload(RandomValues(p.Length), p.Value.Buffer);
        }
        var tensors = new OpTensors(inputs, output, inputGradients, projection,
            workspaces.FirstOrDefault()) { Workspaces = workspaces };
        var context = new OpContext(accelerator) { BatchSize = batch, Training = Training, Seed = 7, Step = 3 };

        float[] r = Download(projection);
        op.Forward(context, tensors);
        foreach (Parameter p in op.Parameters.Where(p => p.Trainable))
            accelerator.Fill(0f, p.Length, p.Gradient.Buffer);
        op.Backward(context, tensors);

        double Loss()
        {
            op.Forward(context, tensors);
            float[] y = Download(output);
            double sum = 0;
            for (int i = 0; i < y.Length; i++) sum += (double)r[i] * y[i];
            return sum;
        }

        for (int i = 0; i < inputs.Length; i++)
            Compare($"{op.Name} input {i}", inputs[i], Download(inputGradients[i]), Loss);
        foreach (Parameter p in op.Parameters.Where(p => p.Trainable))
            Compare($"{op.Name} {p.Name}", p.Value, Download(p.Gradient), Loss);
    }

    private void Compare(string what, Tensor x, float[] analytic, Func<double> loss)
    {
        float[] values = Download(x);
        CentralDifference.AssertMatches(values, analytic, changed =>
        {
            accelerator.Upload(changed, x.Buffer);
            return loss();
        }, Epsilon, Tolerance, what, stride: Math.Max(1, values.Length / MaxChecksPerTensor));
        accelerator.Upload(values, x.Buffer);
    }

    private Tensor NewTensor(int[] shape, bool randomize)
    {
        var tensor = new Tensor(accelerator.Allocate(ShapeOf.ElementCount(shape)), shape);
        if (randomize) accelerator.Upload(RandomValues(tensor.Length), tensor.Buffer);
        return tensor;
    }

    private float[] RandomValues(int length) =>
        RandomInputs.AwayFromZero(RandomInputs.Uniform(_random, length, -Range, Range), AvoidZero);

    private float[] Download(Tensor t)
    {
        float[] values = new float[t.Length];
        accelerator.Download(t.Buffer, values);
        return values;
    }
}
