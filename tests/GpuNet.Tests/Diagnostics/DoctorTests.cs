using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Diagnostics;
using GpuNet.Tests.Accelerators;
using GpuNet.Tests.Cli;

namespace GpuNet.Tests.Diagnostics;

/// <summary>gpunet doctor: what it checks, that a wrong kernel is caught, and the real command on ilgpu-cpu.</summary>
public sealed class DoctorTests
{
    [Fact]
    public void The_checks_cover_every_accelerator_operation()
    {
        Assert.Equal(AcceleratorOperations.Computing,
            DeviceChecks.All().Select(c => c.Operation).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_kernel_that_differs_by_a_little_is_caught_with_the_element_named()
    {
        using var reference = new CpuAccelerator();
        using var device = new CpuAccelerator();
        // What a miscompiled kernel looks like: one element of the output off by 1e-3.
        var check = new KernelCheck("Add", "7", DeviceChecks.Elementwise,
            [[1, 2, 3, 4, 5, 6, 7], [1, 1, 1, 1, 1, 1, 1], new float[7]], [2], (acc, b) =>
            {
                acc.Add(b[0], b[1], 7, b[2]);
                if (ReferenceEquals(acc, device)) acc.AddBias(b[1], 1, 1, b[2]);
            });
        KernelCheckResult result = check.Run(reference, device);
        Assert.False(result.Passed);
        Assert.Equal("buffer 2[0]: 3, expected 2", result.Mismatch);
        Assert.Equal(1.0, result.WorstDifference);
        Assert.True(check.Run(reference, reference).Passed);
    }

    [Fact]
    public void The_training_check_sees_a_step_that_differs()
    {
        Assert.Equal(0, TrainingComparison.WorstRelativeDifference([1f, 2f], [1f, 2f]));
        Assert.Equal(0.5, TrainingComparison.WorstRelativeDifference([1f, 2f], [1f, 3f]), 6);
        Assert.Equal(double.PositiveInfinity, TrainingComparison.WorstRelativeDifference([1f, 2f], [1f, float.NaN]));
        Assert.Equal(double.PositiveInfinity, TrainingComparison.WorstRelativeDifference([1f, 2f], [1f]));
    }

    [Fact]
    public void Doctor_on_ilgpu_cpu_lists_the_devices_checks_every_kernel_and_passes()
    {
        var doctor = GpunetProcess.Run(Path.GetTempPath(), "doctor", "--backend", "ilgpu-cpu", "--steps", "6",
            "--gemm-size", "64");
        Assert.True(doctor.ExitCode == 0, doctor.Output + doctor.Error);
        Assert.Contains("| cuda | ", doctor.Output);
        Assert.Contains("| ilgpu-cpu | ILGPU CPU accelerator |", doctor.Output);
        foreach (string operation in DeviceChecks.All().Select(c => c.Operation).Distinct())
            Assert.Contains($"| {operation} | ", doctor.Output);
        Assert.DoesNotContain("MISMATCH", doctor.Output);
        Assert.Contains("Training 6 steps of a small CNN", doctor.Output);
        Assert.Contains("GEMM 64×64×64 on ", doctor.Output);
        Assert.Contains("doctor: ilgpu-cpu agrees with the CPU on every check", doctor.Output);
    }

    [Fact]
    public void Doctor_refuses_a_backend_that_is_not_ilgpu()
    {
        var doctor = GpunetProcess.Run(Path.GetTempPath(), "doctor", "--backend", "cpu");
        Assert.Equal(2, doctor.ExitCode);
        Assert.Contains("doctor checks an ILGPU backend: cuda, opencl, ilgpu-cpu or auto, not 'cpu'", doctor.Error);
    }
}
