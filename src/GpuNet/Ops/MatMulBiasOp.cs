using GpuNet.Accelerators;
using GpuNet.Graph;
using GpuNet.Parameters;

namespace GpuNet.Ops;

/// <summary>y [batch, out] = x [batch, in] · kernel [in, out] + bias [out] — the affine part of Dense.</summary>
public sealed class MatMulBiasOp(Parameter kernel, Parameter? bias) : Op
{
    public Parameter Kernel { get; } = kernel;

    public Parameter? Bias { get; } = bias;

    public override string Name => "matmul";

    public override IReadOnlyList<Parameter> Parameters => Bias is null ? [Kernel] : [Kernel, Bias];

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        int[] input = inputShapes[0];
        if (input.Length != 1)
            throw new GpuNetException($"expects a flat input (features,) but gets " +
                $"{Tensors.ShapeOf.Format(input)}; put a Flatten layer before it");
        if (input[0] != Kernel.Shape[0])
            throw new GpuNetException($"expects {Kernel.Shape[0]} input features but gets {input[0]}");
        return [Kernel.Shape[1]];
    }

    public override void Forward(OpContext context, OpTensors tensors)
    {
        var acc = context.Accelerator;
        int batch = context.BatchSize, inputs = Kernel.Shape[0], outputs = Kernel.Shape[1];
        acc.Gemm(false, false, tensors.Input.Buffer, Kernel.Value.Buffer, batch, outputs, inputs, 1f, 0f,
            tensors.Output.Buffer);
        if (Bias is not null) acc.AddBias(Bias.Value.Buffer, batch, outputs, tensors.Output.Buffer);
    }

    public override void Backward(OpContext context, OpTensors tensors)
    {
        int inputs = Kernel.Shape[0], outputs = Kernel.Shape[1];
        // dKernel [in, out] (+)= xᵀ · dy, dBias += Σ dy, dx [batch, in] (+)= dy · kernelᵀ, skipped for the data input;
        // each set where the plan lets the op set it.
        var gradients = new DenseGradients(Kernel.Gradient.Buffer, tensors.SetsParameterGradient(0),
            Bias?.Gradient.Buffer, tensors.InputGradients[0]?.Buffer, tensors.SetsInputGradient);
        context.Accelerator.DenseBackward(tensors.Input.Buffer, Kernel.Value.Buffer, tensors.OutputGradient!.Buffer,
            context.BatchSize, inputs, outputs, gradients);
    }

    /// <summary>dx is one GEMM, which overwrites as cheaply as it adds: a first writer spares the plan a pass
    /// zeroing dx and itself the reading of it.</summary>
    public override bool CanSetInputGradient => true;

    /// <summary>dKernel likewise is one GEMM: set, it spares the step a pass zeroing the largest gradients of an
    /// MLP and the GEMM the reading of them. (The bias's few values are added.)</summary>
    public override bool CanSetParameterGradient(int index) => index == 0;
}
