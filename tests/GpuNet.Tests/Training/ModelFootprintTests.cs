using GpuNet.Accelerators.Cpu;
using GpuNet.Graph;
using GpuNet.Layers;
using GpuNet.Losses;
using GpuNet.Models;
using GpuNet.Optimizers;
using GpuNet.Training;

using GpuNet.Accelerators;
using GpuNet.Tests.Accelerators;

namespace GpuNet.Tests.Training;

/// <summary>
/// The 64-bit count of a model's buffers, made before anything is allocated: it must match what
/// the execution plan really allocates, and refuse, with the layer and the bytes, what one buffer
/// cannot index or the memory cannot hold.
/// </summary>
public sealed class ModelFootprintTests
{
    private static readonly CpuAccelerator Cpu = new();

    private static ModelGraph Mlp() =>
        new Sequential([784],
            [new DenseLayer(30, "relu"), new DropoutLayer(0.3f), new BatchNormalizationLayer(),
                new DenseLayer(10, "softmax")]).Build();

    private static ModelGraph Cnn() => new Sequential([28, 28, 1],
    [
        new Conv2DLayer(6, (5, 5), activation: "relu"), new MaxPooling2DLayer(2), new BatchNormalizationLayer(),
        new Conv2DLayer(4, (3, 3), padding: "same"), new AveragePooling2DLayer(2), new DropoutLayer(0.25f),
        new FlattenLayer(), new DenseLayer(10, "softmax"),
    ]).Build();

    public static TheoryData<string, int> Models => new() { { "mlp", 7 }, { "mlp", 64 }, { "cnn", 1 }, { "cnn", 13 } };

    private static ModelGraph ModelNamed(string name) => name == "mlp" ? Mlp() : Cnn();

    public static TheoryData<string, int, string> ModelsAndAccelerators => new()
    {
        { "mlp", 7, "cpu" }, { "mlp", 64, "cpu" }, { "cnn", 1, "cpu" }, { "cnn", 13, "cpu" },
        // The ILGPU accelerators lay out im2col workspaces, which the CPU does not.
        { "cnn", 13, "ilgpu-cpu" },
    };

    [Theory]
    [MemberData(nameof(ModelsAndAccelerators))]
    public void Counts_exactly_what_the_plain_execution_plan_allocates(string name, int batch, string acceleratorName)
    {
        ModelGraph model = ModelNamed(name);
        using IAccelerator accelerator = AcceleratorCatalog.Create(acceleratorName);
        var footprint = ModelFootprint.Of(model, accelerator, new Sgd(), batch, evaluationBatchSize: batch);
        using var training = new ExecutionPlan(model.Graph, accelerator, batch, withGradients: true, [model.Output],
            fuse: false);
        using var evaluation = new ExecutionPlan(model.Graph, accelerator, batch, withGradients: false, [model.Output],
            fuse: false);
        // The step's targets and per-sample losses sit beside the plan.
        long stepExtras = (long)batch * model.Output.SampleSize + batch;
        Assert.Equal(training.AllocatedFloats + stepExtras, Floats(footprint, ModelFootprint.BufferRole.Training));
        Assert.Equal(evaluation.AllocatedFloats + stepExtras, Floats(footprint, ModelFootprint.BufferRole.Evaluation));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Is_an_upper_bound_of_the_plan_that_moves_relus_and_pools_with_its_convolution(string name, int batch)
    {
        ModelGraph model = ModelNamed(name);
        var footprint = ModelFootprint.Of(model, Cpu, new Adam(), batch);
        using var training = new ExecutionPlan(model.Graph, new CpuAccelerator(), batch, withGradients: true,
            [model.Output]);
        long stepExtras = (long)batch * model.Output.SampleSize + batch;
        long counted = Floats(footprint, ModelFootprint.BufferRole.Training),
            allocated = training.AllocatedFloats + stepExtras;
        Assert.InRange(counted, allocated, allocated * 3 / 2);
    }

    [Fact]
    public void Weights_gradients_and_optimizer_slots_are_counted_per_trainable_parameter()
    {
        ModelGraph model = Mlp();
        long trainable = model.TrainableParameterCount, frozen = model.NonTrainableParameterCount;
        Assert.Equal(4 * (2 * trainable + frozen),
            ModelFootprint.Of(model, Cpu, new Adam(), 32).BytesOf(ModelFootprint.BufferRole.Weights));
        Assert.Equal(4 * 2 * trainable,
            ModelFootprint.Of(model, Cpu, new Adam(), 32).BytesOf(ModelFootprint.BufferRole.OptimizerState));
        Assert.Equal(0, ModelFootprint.Of(model, Cpu, new Sgd(), 32).BytesOf(ModelFootprint.BufferRole.OptimizerState));
    }

    [Fact]
    public void A_shorter_last_batch_adds_a_plan_of_its_own()
    {
        ModelGraph model = Mlp();
        long even = ModelFootprint.Of(model, Cpu, new Sgd(), 100,
            trainingSamples: 1000).BytesOf(ModelFootprint.BufferRole.Training);
        long uneven = ModelFootprint.Of(model, Cpu, new Sgd(), 100,
            trainingSamples: 1010).BytesOf(ModelFootprint.BufferRole.Training);
        Assert.Equal(even + ModelFootprint.Of(model, Cpu, new Sgd(), 10).BytesOf(ModelFootprint.BufferRole.Training),
            uneven);
    }

    [Fact]
    public void Parameter_past_what_one_buffer_holds_is_refused_while_building_with_the_layer_and_bytes()
    {
        var model = new Sequential([784], [new DenseLayer(30), new DenseLayer(100_000_000), new DenseLayer(10)]);
        var error = Assert.Throws<LayerException>(() => model.Build());
        Assert.Equal(1, error.LayerIndex);
        Assert.StartsWith("model.layers[1] (Dense): its kernel of shape (30, 100000000) would hold 3,000,000,000 " +
            "weights", error.Message);
        var huge = new Sequential([784], [new DenseLayer(3_000_000)]);
        Assert.Contains("2,352,000,000 weights, 9.41 GB (9,408,000,000 bytes), more than the 2,147,483,591 one buffer "
            +
            "can hold",
            Assert.Throws<LayerException>(() => huge.Build()).Message);
    }

    [Fact]
    public void Batch_whose_activations_pass_an_int_is_refused_with_the_largest_batch_that_fits()
    {
        ModelGraph model = new Sequential([784], [new DenseLayer(1_000_000), new DenseLayer(10)]).Build();
        ModelFootprint.Of(model, Cpu, new Sgd(), 2147).CheckIndexLimits();
        var error = Assert.Throws<LayerException>(() =>
            ModelFootprint.Of(model, Cpu, new Sgd(), 2148).CheckIndexLimits());
        Assert.Equal(0, error.LayerIndex);
        Assert.Contains("for a batch of 2,148 would hold 2,148,000,000 values", error.Message);
        Assert.Contains("use a batch_size of at most 2,147", error.Message);
    }

    [Fact]
    public void Model_larger_than_the_memory_given_is_refused_naming_its_largest_layer_and_the_bytes()
    {
        ModelGraph model = new Sequential([784],
            [new DenseLayer(300, "relu"), new DenseLayer(2000, "relu"), new DenseLayer(10, "softmax")]).Build();
        var footprint = ModelFootprint.Of(model, Cpu, new Adam(), 64);
        long total = footprint.TotalBytes;
        footprint.CheckFits(total, "of memory on the device");
        var error = Assert.Throws<LayerException>(() => footprint.CheckFits(total - 1, "of memory on the device"));
        Assert.Equal(1, error.LayerIndex);
        Assert.Contains($"training this model with batch_size 64 needs {Tensors.ByteSize.Format(total)}: ",
            error.Message);
        Assert.Contains("of Adam's state", error.Message);
        Assert.Contains("of memory on the device", error.Message);
    }

    [Fact]
    public void Host_memory_is_known()
    {
        long available = HostMemory.AvailableBytes();
        Assert.InRange(available, 1L << 28, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
    }

    private static long Floats(ModelFootprint footprint, ModelFootprint.BufferRole role) =>
        footprint.Buffers.Where(b => b.Role == role).Sum(b => b.Floats);
}
