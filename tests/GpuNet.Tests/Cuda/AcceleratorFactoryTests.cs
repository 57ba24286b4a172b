using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Accelerators.Cuda;
using GpuNet.Config;
using GpuNet.Tests.Accelerators;

namespace GpuNet.Tests.Cuda;

/// <summary>--backend and the config's backend key: which accelerator a run gets, and the line that says why.</summary>
public sealed class AcceleratorFactoryTests
{
    [Fact]
    public void Cpu_is_taken_when_asked_for()
    {
        var log = new StringWriter();
        using var accelerator = AcceleratorFactory.Create("cpu", log);
        Assert.IsType<CpuAccelerator>(accelerator);
        Assert.Equal("Backend: cpu (asked for)", log.ToString().Trim());
    }

    [Fact]
    public void Auto_takes_cuda_where_the_driver_reports_a_device()
    {
        var log = new StringWriter();
        using var accelerator = AcceleratorFactory.Create("auto", log, AcceleratorCatalog.EmulatorLibrary);
        Assert.IsType<CudaAccelerator>(accelerator);
        Assert.StartsWith("Backend: cuda on GpuNet host emulator (auto: 1 CUDA device(s)", log.ToString());
    }

    [Fact]
    public void Auto_falls_back_to_the_cpu_and_says_why()
    {
        var log = new StringWriter();
        using var accelerator = AcceleratorFactory.Create("auto", log, "/nonexistent/libcuda.so.1");
        Assert.IsType<CpuAccelerator>(accelerator);
        string line = log.ToString().Trim();
        Assert.StartsWith("Backend: cpu (auto: The CUDA driver library '/nonexistent/libcuda.so.1' could not be loaded", line);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void Cuda_without_a_driver_is_an_error_naming_the_library()
    {
        var error = Assert.Throws<GpuNetException>(() => AcceleratorFactory.Create("cuda", TextWriter.Null, "/nonexistent/libcuda.so.1"));
        Assert.Contains("GPUNET_CUDA_LIBRARY", error.Message);
    }

    [Fact]
    public void An_unknown_backend_names_the_valid_ones()
    {
        var error = Assert.Throws<GpuNetException>(() => AcceleratorFactory.Create("tpu", TextWriter.Null));
        Assert.Contains("valid backends are auto, cpu, cuda", error.Message);
    }

    private const string Config = """
        model:
          input_shape: [4]
          layers:
            - Dense: {units: 2, activation: softmax}
        loss: categorical_crossentropy
        optimizer: SGD
        """;

    [Fact]
    public void Config_backend_defaults_to_auto_and_is_read()
    {
        Assert.Equal("auto", RunConfigReader.Read("run.yaml", Config).Backend);
        Assert.Equal("cpu", RunConfigReader.Read("run.yaml", Config + "\nbackend: cpu\n").Backend);
        var error = Assert.ThrowsAny<GpuNetException>(() => RunConfigReader.Read("run.yaml", Config + "\nbackend: gpu\n"));
        Assert.Contains("unknown backend 'gpu'", error.Message);
        Assert.Contains("run.yaml", error.Message);
    }
}
