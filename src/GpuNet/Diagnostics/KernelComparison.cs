using GpuNet.Accelerators;

namespace GpuNet.Diagnostics;

/// <summary>
/// One kernel call run on two accelerators from the same inputs: each gets buffers holding the
/// inputs, the call runs, and the buffers it writes are read back for comparison.
/// </summary>
public static class KernelComparison
{
    /// <summary>
    /// Runs <paramref name="kernel"/> on <paramref name="accelerator"/> with a buffer per input and
    /// returns the buffers listed in <paramref name="outputs"/> (indices into the inputs). Outputs
    /// start with the values given too, so a kernel that should add but overwrites is caught.
    /// </summary>
    public static float[][] Run(IAccelerator accelerator, float[][] inputs, int[] outputs,
        Action<IAccelerator, DeviceBuffer[]> kernel)
    {
        var buffers = new DeviceBuffer[inputs.Length];
        try
        {
            for (int i = 0; i < inputs.Length; i++)
            {
                buffers[i] = accelerator.Allocate(inputs[i].Length);
                accelerator.Upload(inputs[i], buffers[i]);
            }
            kernel(accelerator, buffers);
            var results = new float[outputs.Length][];
            for (int o = 0; o < outputs.Length; o++)
            {
                results[o] = new float[inputs[outputs[o]].Length];
                accelerator.Download(buffers[outputs[o]], results[o]);
            }
            return results;
        }
        finally
        {
            foreach (DeviceBuffer? buffer in buffers) buffer?.Dispose();
        }
    }
}
