using GpuNet.Parameters;
using System.Globalization;
using GpuNet.Accelerators.Cpu;
using GpuNet.Config;
using GpuNet.Data;
using GpuNet.Serialization;
using GpuNet.Tests.Cli;
using GpuNet.Tests.Data;
using GpuNet.Tests.Training;
using GpuNet.Training;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using Xunit.Abstractions;

namespace GpuNet.Tests.Serialization;

/// <summary>
/// gpunet export writes ONNX that ONNX Runtime runs to the probabilities gpunet predict gives,
/// for briefly trained networks of each kind the export handles.
/// </summary>
public sealed class OnnxExportTests(ITestOutputHelper output) : IDisposable
{
    private const int TestImages = 1_000;

    private readonly string _folder = Directory.CreateTempSubdirectory("gpunet-onnx-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string, string> Models() => new()
    {
        {
            "mlp", """
            model: {layers: [Flatten: {input_shape: [28, 28]}, Dense: [30, sigmoid], Dense: [10, softmax]]}
            loss: categorical_crossentropy
            optimizer: {SGD: 1.0}
            batch_size: 30
            """
        },
        {
            "cnn16", """
            model:
              layers:
                - Conv2D: [16, [5, 5], {activation: relu, input_shape: [28, 28, 1]}]
                - MaxPooling2D: {pool_size: [2, 2]}
                - Flatten
                - Dropout: 0.2
                - Dense: [10, {activation: softmax}]
            loss: categorical_crossentropy
            optimizer: adam
            batch_size: 120
            """
        },
        {
            "cnn-batchnorm-average-pooling", """
            model:
              layers:
                - Conv2D: [8, 3, {padding: same, use_bias: false, input_shape: [28, 28, 1]}]
                - BatchNormalization: {momentum: 0.9}
                - Activation: relu
                - AveragePooling2D: [[2, 2]]
                - Conv2D: [16, 3, 2, same, {activation: relu}]
                - BatchNormalization: {momentum: 0.9, center: false}
                - AveragePooling2D: [[3, 3], 2, same]
                - Flatten
                - Dense: [32, relu]
                - BatchNormalization: {momentum: 0.9, scale: false}
                - Dropout: 0.3
                - Dense: [10, softmax]
            loss: categorical_crossentropy
            optimizer: adam
            batch_size: 20
            """
        },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Onnx_runtime_gives_the_probabilities_of_gpunet_predict(string name, string config)
    {
        string configFile = Path.Combine(_folder, $"{name}.yaml");
        string weightsFile = Path.Combine(_folder, $"{name}.safetensors");
        string onnxFile = Path.Combine(_folder, $"{name}.onnx"), predictions = Path.Combine(_folder, $"{name}.csv");
        File.WriteAllText(configFile, config);
        float[] inProcess = TrainAndSave(configFile, weightsFile);

        var export = GpunetProcess.Run(_folder, "export", configFile, "--weights", weightsFile, "--onnx", onnxFile);
        Assert.True(export.ExitCode == 0, export.Error);
        Assert.Contains($"Wrote {onnxFile}: ONNX opset 13, input 'input'", export.Output);
        var predict = GpunetProcess.Run(_folder, "predict", configFile, "--weights", weightsFile,
            "--output", predictions, "--data", TestData.MnistDirectory);
        Assert.True(predict.ExitCode == 0, predict.Error);

        float[] onnx = RunOnnx(onnxFile, MnistSubset.Test(TestImages), out int[] inputShape);
        float[] predicted = ReadProbabilities(predictions, TestImages);
        double againstPredict = MaxDifference(onnx, predicted), againstTrainer = MaxDifference(onnx, inProcess);
        output.WriteLine($"{name}: input {string.Join("×", inputShape)}; " +
                         $"largest |ONNX Runtime − gpunet predict| {againstPredict:E2} " +
                         $"(predict's CSV keeps 6 decimals), |ONNX Runtime − Trainer.Predict| {againstTrainer:E2}");
        Assert.True(againstPredict <= 1e-5, $"ONNX Runtime and gpunet predict differ by {againstPredict:E2}");
        Assert.True(againstTrainer <= 1e-5, $"ONNX Runtime and Trainer.Predict differ by {againstTrainer:E2}");
        // The networks learned something (chance is 10%), so agreeing is not agreeing on noise.
        double accuracy = Accuracy(onnx, MnistSubset.Test(TestImages));
        output.WriteLine($"{name}: accuracy of the ONNX model {accuracy:P1}");
        Assert.True(accuracy > 0.4, $"ONNX model accuracy {accuracy:P1}");
    }

    [Fact]
    public void Every_exportable_layer_runs_in_onnx_runtime_as_in_gpunet()
    {
        // A rank-2 input normalized over its last axis and convolved as one channel, L2 pooling, a
        // same-padded max pool with uneven pads, a Dense without bias, and every activation.
        const string config = """
            model:
              input_shape: [28, 28]
              layers:
                - BatchNormalization: {momentum: 0.5}
                - Conv2D: [6, [4, 3], [1, 2], same]
                - PReLU: {alpha_initializer: {constant: {value: 0.1}}}
                - L2Pooling2D: [[2, 2], 1, valid]
                - MaxPooling2D: [[3, 3], 2, same]
                - LeakyReLU: 0.2
                - Reshape: [[7, 14, 6]]
                - Flatten
                - Dense: [24, tanh, false]
                - Dense: [16, leaky_relu]
                - Activation: sigmoid
                - Dense: [10, linear]
                - Activation: softmax
            loss: categorical_crossentropy
            optimizer: adam
            batch_size: 50
            """;
        string configFile = Path.Combine(_folder, "every.yaml");
        string weightsFile = Path.Combine(_folder, "every.safetensors");
        File.WriteAllText(configFile, config);
        float[] expected = TrainAndSave(configFile, weightsFile);
        RunConfig read = RunConfigReader.ReadFile(configFile);
        var (tensors, _) = SafeTensorsFile.Read(weightsFile);
        ModelProto model = OnnxExport.Build(read.CreateModel().Build(), tensors, weightsFile);
        string onnxFile = Path.Combine(_folder, "every.onnx");
        OnnxExport.Write(onnxFile, model);

        float[] onnx = RunOnnx(onnxFile, MnistSubset.Test(TestImages), out _);
        double difference = MaxDifference(onnx, expected);
        string[] ops = model.Graph.Node.Select(n => n.OpType).ToArray();
        output.WriteLine($"largest |ONNX Runtime − Trainer.Predict| {difference:E2}; ops: {string.Join(", ", ops)}");
        Assert.True(difference <= 1e-5, $"differ by {difference:E2}");
        string[] expectedOps =
        [
            "BatchNormalization", "Conv", "PRelu", "LpPool", "MaxPool", "LeakyRelu", "Reshape", "MatMul", "Tanh",
                "Gemm",
            "Sigmoid", "Softmax",
        ];
        foreach (string op in expectedOps) Assert.Contains(op, ops);
    }

    [Fact]
    public void Exported_model_names_its_input_and_output_and_drops_dropout()
    {
        string file = Path.Combine(TestData.RepositoryRoot, "configs", "keras-style", "cnn16.yaml");
        RunConfig config = RunConfigReader.ReadFile(file);
        var graph = config.CreateModel().Build();
        var weights = graph.Parameters.ToDictionary(
            p => p.Name, p => new NamedTensor(p.Name, p.Shape, new float[p.Length]));
        ModelProto model = OnnxExport.Build(graph, weights, "zeros");
        Assert.Equal(13, Assert.Single(model.OpsetImport).Version);
        Assert.Equal(7, model.IrVersion);
        ValueInfoProto input = Assert.Single(model.Graph.Input);
        Assert.Equal("input", input.Name);
        var dimensions = input.Type.TensorType.Shape.Dim
            .Select(d => d.DimParam.Length > 0 ? d.DimParam : d.DimValue.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(["batch", "1", "28", "28"], dimensions);
        Assert.Equal("output", Assert.Single(model.Graph.Output).Name);
        Assert.Equal(["Conv", "Relu", "MaxPool", "Reshape", "Gemm", "Softmax"], model.Graph.Node.Select(n => n.OpType));
        var floatTensors = model.Graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Float);
        Assert.Equal(["conv2d/kernel", "conv2d/bias", "dense/kernel", "dense/bias"], floatTensors.Select(t => t.Name));
    }

    [Fact]
    public void Weights_of_another_model_are_refused_by_name()
    {
        string configFile = Path.Combine(_folder, "run.yaml"), weightsFile = Path.Combine(_folder, "other.safetensors");
        File.WriteAllText(
            configFile, "model: {layers: [Dense: [10, {input_shape: [784]}]]}\nloss: mse\noptimizer: SGD\n");
        SafeTensorsFile.Write(weightsFile, [new NamedTensor("dense/kernel", [784, 12], new float[784 * 12])]);
        var result = GpunetProcess.Run(_folder, "export", configFile, "--weights", weightsFile, "--onnx", "model.onnx");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(
            $"error: {weightsFile}: tensor 'dense/kernel' has shape (784, 12) but this model needs (784, 10)",
            result.Error);
        Assert.False(File.Exists(Path.Combine(_folder, "model.onnx")));
        var noWeights = GpunetProcess.Run(_folder, "export", configFile, "--onnx", "model.onnx");
        Assert.Equal(2, noWeights.ExitCode);
        Assert.Contains("is not a run folder; with a config file, name its weights with --weights FILE",
            noWeights.Error);
    }

    [Fact]
    public void Run_folder_exports_with_its_own_config_and_weights()
    {
        File.WriteAllText(Path.Combine(_folder, "run.yaml"), """
            name: small
            model: {layers: [Dense: [10, softmax, {input_shape: [784]}]]}
            loss: sparse_categorical_crossentropy
            optimizer: {SGD: 0.5}
            training_range: [0, 500]
            validation_data: none
            """);
        var train = GpunetProcess.Run(_folder, "train", "run.yaml", "--data", TestData.MnistDirectory);
        Assert.True(train.ExitCode == 0, train.Error);
        string run = Directory.GetDirectories(Path.Combine(_folder, "runs")).Single();
        var export = GpunetProcess.Run(_folder, "export", run, "--onnx", "small.onnx");
        Assert.True(export.ExitCode == 0, export.Error);
        Assert.Contains("input 'input' [batch, 784], output 'output' [batch, 10]", export.Output);
        ModelProto model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(_folder, "small.onnx")));
        Assert.Equal(["Gemm", "Softmax"], model.Graph.Node.Select(n => n.OpType));
        var both = GpunetProcess.Run(_folder, "export", run, "--weights", "w.safetensors", "--onnx", "small.onnx");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("is a run folder, which holds its own weights", both.Error);
    }

    /// <summary>Trains briefly on the CPU, saves the weights, and returns Trainer.Predict on the test images.</summary>
    private static float[] TrainAndSave(string configFile, string weightsFile)
    {
        RunConfig config = RunConfigReader.ReadFile(configFile);
        using var trainer = new Trainer(
            config.CreateModel(), config.Loss, config.CreateOptimizer(), new CpuAccelerator(), seed: 1);
        trainer.Fit(MnistSubset.Train(2_000), epochs: 1, batchSize: config.BatchSize);
        trainer.SaveWeights(weightsFile);
        return trainer.Predict(MnistSubset.Test(TestImages));
    }

    private static float[] RunOnnx(string onnxFile, Dataset test, out int[] inputShape)
    {
        using var session = new InferenceSession(onnxFile);
        NodeMetadata input = session.InputMetadata["input"];
        inputShape = [test.Count, .. input.Dimensions.Skip(1)];
        float[] images = new float[test.Count * test.Height * test.Width];
        test.FillImages(Enumerable.Range(0, test.Count).ToArray(), images);
        var tensor = new DenseTensor<float>(images, inputShape);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", tensor)]);
        DisposableNamedOnnxValue result = Assert.Single(results);
        Assert.Equal("output", result.Name);
        return result.AsEnumerable<float>().ToArray();
    }

    /// <summary>p0 … p9 of the first <paramref name="count"/> rows of gpunet predict's CSV.</summary>
    private static float[] ReadProbabilities(string csv, int count) =>
        File.ReadLines(csv).Skip(1).Take(count)
            .SelectMany(line => line.Split(',').Skip(3).Select(p => float.Parse(p, CultureInfo.InvariantCulture)))
            .ToArray();

    private static double MaxDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
    }

    private static double Accuracy(float[] probabilities, Dataset test) =>
        Enumerable.Range(0, test.Count).Count(i =>
        {
            ReadOnlySpan<float> row = probabilities.AsSpan(i * 10, 10);
            int best = 0;
            for (int c = 1; c < 10; c++) if (row[c] > row[best]) best = c;
            return best == test.Labels[i];
        }) / (double)test.Count;
}
