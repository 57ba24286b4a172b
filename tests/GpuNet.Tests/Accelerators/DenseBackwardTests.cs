using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Accelerators.Cpu.Threads;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// The CPU's backward of a Dense layer, whose two products run side by side on two threads, against the three kernels
/// run in turn: the same dKernel, dBias and dx bit for bit, set or added to, with and without a bias and an input
/// gradient.
/// </summary>
[Collection(CpuThreadCountCollection.Name)]
public sealed class DenseBackwardTests
{
    public static TheoryData<int, int, int, bool, bool, bool, bool> Cases()
    {
        var data = new TheoryData<int, int, int, bool, bool, bool, bool>();
        // A hidden layer of the batch-norm MLP, odd sizes worth a thread each, and a product too small to share.
        foreach (var (batch, inputs, outputs) in new[] { (100, 256, 256), (37, 129, 65), (5, 7, 3) })
        {
            data.Add(batch, inputs, outputs, true, true, true, true);
            data.Add(batch, inputs, outputs, false, true, false, true);
            data.Add(batch, inputs, outputs, true, false, true, false);
            data.Add(batch, inputs, outputs, false, false, true, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Both_products_side_by_side_are_the_kernels_in_turn(int batch, int inputs, int outputs, bool setKernel,
        bool withBias, bool withInput, bool setInput)
    {
        int saved = CpuParallel.ThreadCount;
        CpuParallel.ThreadCount = 2;
        try
        {
            var cpu = new CpuAccelerator();
            DeviceBuffer Buffer(int seed, int length)
            {
                DeviceBuffer buffer = cpu.Allocate(length);
                cpu.Upload(FastKernelInputs.Values(seed, length), buffer);
                return buffer;
            }
            DeviceBuffer x = Buffer(1, batch * inputs), kernel = Buffer(2, inputs * outputs), dy = Buffer(3, batch *
                outputs);
            // Gradients that hold values already, so that setting and adding differ.
            (DeviceBuffer Kernel, DeviceBuffer Bias, DeviceBuffer Input) Gradients() =>
                (Buffer(4, inputs * outputs), Buffer(5, outputs), Buffer(6, batch * inputs));
            var expected = Gradients();
            cpu.Gemm(true, false, x, dy, inputs, outputs, batch, 1f, setKernel ? 0f : 1f, expected.Kernel);
            if (withBias) cpu.BiasGradient(dy, batch, outputs, expected.Bias);
            if (withInput) cpu.Gemm(false, true, dy, kernel, batch, inputs, outputs, 1f, setInput ? 0f : 1f,
                expected.Input);

            var actual = Gradients();
            cpu.DenseBackward(x, kernel, dy, batch, inputs, outputs, new DenseGradients(actual.Kernel, setKernel,
                withBias ? actual.Bias : null, withInput ? actual.Input : null, setInput));

            float[] Read(DeviceBuffer buffer)
            {
                float[] values = new float[buffer.Length];
                cpu.Download(buffer, values);
                return values;
            }
            FastKernelInputs.AssertIdentical(Read(expected.Kernel), Read(actual.Kernel), "dKernel");
            FastKernelInputs.AssertIdentical(Read(expected.Bias), Read(actual.Bias), "dBias");
            FastKernelInputs.AssertIdentical(Read(expected.Input), Read(actual.Input), "dx");
        }
        finally
        {
            CpuParallel.ThreadCount = saved;
        }
    }
}
