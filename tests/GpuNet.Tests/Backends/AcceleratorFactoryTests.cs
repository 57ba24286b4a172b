using GpuNet.Backends;
using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Accelerators.Ilgpu;
using GpuNet.Config;
using GpuNet.Tests.Accelerators;

namespace GpuNet.Tests.Backends;

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
    public void Ilgpu_cpu_is_taken_when_asked_for_and_names_its_gemm()
    {
        var log = new StringWriter();
        using var accelerator = AcceleratorFactory.Create("ilgpu-cpu", log);
        Assert.Equal("ilgpu-cpu", Assert.IsType<IlgpuAccelerator>(accelerator).Name);
        string line = log.ToString().Trim();
        Assert.StartsWith("Backend: ilgpu-cpu on ", line);
        Assert.Contains("(asked for; ", line);
        Assert.EndsWith("GEMM by the ILGPU tiled kernel)", line);
        Assert.DoesNotContain('\n', line);
    }

    [SkippableFact]
    public void Auto_takes_cuda_where_a_device_is_found()
    {
        Skip.IfNot(AcceleratorCatalog.HasCuda, $"No CUDA device: {AcceleratorCatalog.CudaStatus}");
        var log = new StringWriter();
        using var accelerator = AcceleratorFactory.Create("auto", log);
        Assert.Equal("cuda", Assert.IsType<IlgpuAccelerator>(accelerator).Name);
        Assert.StartsWith("Backend: cuda on ", log.ToString());
        Assert.Contains("(auto: found ", log.ToString());
        Assert.Contains("GEMM by ", log.ToString());
    }

    [SkippableFact]
    public void Auto_falls_back_to_the_cpu_and_says_why()
    {
        Skip.If(AcceleratorCatalog.HasCuda || IlgpuDeviceSurvey.HasOpenCL(out _),
            "a GPU is present here, so auto takes it");
        var log = new StringWriter();
        using var accelerator = AcceleratorFactory.Create("auto", log);
        Assert.IsType<CpuAccelerator>(accelerator);
        string line = log.ToString().Trim();
        Assert.StartsWith("Backend: cpu (auto: no CUDA device: ", line);
        Assert.Contains("; no OpenCL device: ", line);
        Assert.DoesNotContain('\n', line);
    }

    [SkippableFact]
    public void Cuda_without_a_device_is_an_error_that_says_why()
    {
        Skip.If(AcceleratorCatalog.HasCuda, "a CUDA device is present here");
        var error = Assert.Throws<GpuNetException>(() => AcceleratorFactory.Create("cuda", TextWriter.Null));
        Assert.StartsWith("--backend cuda: no CUDA device: ", error.Message);
        Assert.Equal(IlgpuDeviceSurvey.WhyNoCuda(), error.Message["--backend cuda: no CUDA device: ".Length..]);
    }

    [SkippableFact]
    public void OpenCL_without_a_device_is_an_error_that_says_why()
    {
        Skip.If(IlgpuDeviceSurvey.HasOpenCL(out _), "an OpenCL device ILGPU accepts is present here");
        var error = Assert.Throws<GpuNetException>(() => AcceleratorFactory.Create("opencl", TextWriter.Null));
        Assert.StartsWith("--backend opencl: no OpenCL device: ", error.Message);
        Assert.Contains("OpenCL", error.Message["--backend opencl: no OpenCL device: ".Length..]);
    }

    [Fact]
    public void An_unknown_backend_names_the_valid_ones()
    {
        var error = Assert.Throws<GpuNetException>(() => AcceleratorFactory.Create("tpu", TextWriter.Null));
        Assert.Contains("valid backends are auto, cpu, cuda, opencl, ilgpu-cpu", error.Message);
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
        Assert.Equal("ilgpu-cpu", RunConfigReader.Read("run.yaml", Config + "\nbackend: ilgpu-cpu\n").Backend);
        var error = Assert.ThrowsAny<GpuNetException>(() =>
            RunConfigReader.Read("run.yaml", Config + "\nbackend: gpu\n"));
        Assert.Contains("unknown backend 'gpu'", error.Message);
        Assert.Contains("run.yaml", error.Message);
    }
}
