using GpuNet.Accelerators;
using GpuNet.Graph;
using GpuNet.Models;
using GpuNet.Parameters;
using GpuNet.Ops;
using Google.Protobuf;
using Onnx;
using static GpuNet.Serialization.OnnxGraphBuilder;

namespace GpuNet.Serialization;

/// <summary>
/// A trained model's inference graph as an ONNX model (opset 13): Gemm or MatMul for Dense, Conv,
/// MaxPool / AveragePool / LpPool, BatchNormalization on the moving statistics, the activations,
/// Softmax and Reshape; Dropout, the identity in inference, leaves no node. The input is named
/// "input" and shaped as GpuNet feeds the model — [batch, …input_shape] for a vector or a
/// single-channel [height, width] image, [batch, channels, height, width] (NCHW) for an image
/// with channels — and holds the pixels scaled to [0, 1]; the output "output" is [batch, classes].
/// </summary>
public static class OnnxExport
{
    public const int Opset = 13;

    /// <summary>The IR version that opset 13 came with.</summary>
    public const long IrVersion = 7;

    public const string InputName = "input";

    public const string OutputName = "output";

    /// <param name="weights">Every parameter of <paramref name="model"/> by name, as a weights file holds them.</param>
    /// <param name="weightsSource">Where the weights came from, for errors (usually a file).</param>
    public static ModelProto Build(
        ModelGraph model, IReadOnlyDictionary<string, NamedTensor> weights, string weightsSource)
    {
        var builder = new OnnxGraphBuilder();
        var names = new Dictionary<Value, string> { [model.Input] = InputName };
        builder.Graph.Name = "gpunet";
        builder.Graph.Input.Add(BatchOf(InputName, model.Input.SampleShape));
        string[] scopes = LayerOfEachNode(model);
        foreach (Node node in model.Graph.Nodes)
        {
            var context = new NodeContext(builder, names, node, scopes[node.Index], weights, weightsSource);
            names[node.Output] = Export(context);
        }
        builder.Rename(names[model.Output], OutputName);
        builder.Graph.Output.Add(BatchOf(OutputName, model.Output.SampleShape));

        var onnx = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "gpunet",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "",
            DocString = $"input: float32 [batch, {string.Join(", ", model.Input.SampleShape)}], " +
                        "pixels scaled to [0, 1]; " +
                        $"output: float32 [batch, {string.Join(", ", model.Output.SampleShape)}]",
            Graph = builder.Graph,
        };
        onnx.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return onnx;
    }

    /// <summary>Writes the model atomically: a failed write leaves any earlier file as it was.</summary>
    public static void Write(string path, ModelProto model) => AtomicFile.Write(path, model.WriteTo);

    private sealed record NodeContext(
        OnnxGraphBuilder Builder, Dictionary<Value, string> Names, Node Node, string Scope,
        IReadOnlyDictionary<string, NamedTensor> Weights, string WeightsSource)
    {
        public string Input => Names[Node.Inputs[0]];

        public int[] InputShape => Node.Inputs[0].SampleShape;

        public int[] OutputShape => Node.Output.SampleShape;

        public string Op(string opType, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
            Builder.Node(opType, Scope, inputs, attributes);

        public string Weight(Parameter p) =>
            Builder.Initializer(p.Name, p.Shape, WeightLookup.Expect(Weights, p.Name, p.Shape, WeightsSource).Values);

        public string Constant(string name, int length, float value) =>
            Builder.Initializer($"{Scope}/{name}", [length], Enumerable.Repeat(value, length).ToArray());

        /// <summary>
        /// The tensor seen as [batch, …<paramref name="sampleShape"/>]: a view in GpuNet, a Reshape in ONNX.
        /// </summary>
        public string Reshape(string tensor, int[] sampleShape)
        {
            string shape = Builder.Int64Initializer($"{Scope}/shape", [-1, .. sampleShape.Select(d => (long)d)]);
            return Op("Reshape", [tensor, shape]);
        }

        /// <summary>The input as NCHW: a rank-2 sample [height, width] is one channel, as GpuNet reads it.</summary>
        public string InputAsImage()
        {
            var (channels, height, width) = ImageShape.Of(InputShape);
            return InputShape.Length == 3 ? Input : Reshape(Input, [channels, height, width]);
        }
    }

    private static string Export(NodeContext c) => c.Node.Op switch
    {
        MatMulBiasOp dense => dense.Bias is null
            ? c.Op("MatMul", [c.Input, c.Weight(dense.Kernel)])
            : c.Op("Gemm", [c.Input, c.Weight(dense.Kernel), c.Weight(dense.Bias)]),
        Conv2DOp conv => ExportConvolution(c, conv),
        Pool2DOp pool => ExportPooling(c, pool),
        BatchNormOp norm => ExportBatchNorm(c, norm),
        ActivationOp activation => activation.Kind switch
        {
            ActivationKind.Linear => c.Input,
            ActivationKind.Sigmoid => c.Op("Sigmoid", [c.Input]),
            ActivationKind.Tanh => c.Op("Tanh", [c.Input]),
            ActivationKind.Relu => c.Op("Relu", [c.Input]),
            ActivationKind.LeakyRelu => c.Op("LeakyRelu", [c.Input], Float("alpha", activation.Alpha)),
            _ => throw Unsupported(c, activation.Kind.ToString()),
        },
        SoftmaxOp => c.Op("Softmax", [c.Input], Int("axis", -1)),
        PReluOp prelu => c.Op("PRelu", [c.Input, c.Weight(prelu.Alpha)]),
        ReshapeOp => c.Reshape(c.Input, c.OutputShape),
        // Inverted dropout is the identity in inference.
        DropoutOp => c.Input,
        AddOp => c.Op("Add", [c.Names[c.Node.Inputs[0]], c.Names[c.Node.Inputs[1]]]),
        Op other => throw Unsupported(c, other.Name),
    };

    private static string ExportConvolution(NodeContext c, Conv2DOp conv)
    {
        string image = c.InputAsImage();
        List<string> inputs = [image, c.Weight(conv.Kernel)];
        if (conv.Bias is not null) inputs.Add(c.Weight(conv.Bias));
        return c.Op("Conv", inputs, WindowAttributes(conv.Window, c.InputShape));
    }

    private static string ExportPooling(NodeContext c, Pool2DOp pool)
    {
        string image = c.InputAsImage();
        AttributeProto[] window = WindowAttributes(pool.Window, c.InputShape);
        return pool.Kind switch
        {
            PoolingKind.Max => c.Op("MaxPool", [image], window),
            // GpuNet averages the window's elements inside the image, as count_include_pad = 0 does.
            PoolingKind.Average => c.Op("AveragePool", [image], [.. window, Int("count_include_pad", 0)]),
            _ => c.Op("LpPool", [image], [.. window, Int("p", 2)]),
        };
    }

    /// <summary>kernel_shape, strides, and the pads [top, left, bottom, right] of TensorFlow's 'same'.</summary>
    private static AttributeProto[] WindowAttributes(SlidingWindow window, int[] inputShape)
    {
        var (_, height, width) = ImageShape.Of(inputShape);
        var (outputHeight, padTop) = window.Along(height, window.Height, window.StrideHeight);
        var (outputWidth, padLeft) = window.Along(width, window.Width, window.StrideWidth);
        int padBottom = Math.Max((outputHeight - 1) * window.StrideHeight + window.Height - height, 0) - padTop;
        int padRight = Math.Max((outputWidth - 1) * window.StrideWidth + window.Width - width, 0) - padLeft;
        if (window.Padding == Padding.Valid) padBottom = padRight = 0;
        return
        [
            Ints("kernel_shape", window.Height, window.Width),
            Ints("strides", window.StrideHeight, window.StrideWidth),
            Ints("pads", padTop, padLeft, padBottom, padRight),
        ];
    }

    /// <summary>
    /// BatchNormalization normalizes axis 1: the features of [batch, features] and the channels of
    /// NCHW are there already; a rank-2 sample [height, width], normalized over its last axis, is
    /// seen as [batch·height, width] for it and given its shape back after.
    /// </summary>
    private static string ExportBatchNorm(NodeContext c, BatchNormOp norm)
    {
        int channels = norm.MovingMean.Length;
        string scale = norm.Gamma is null ? c.Constant("gamma", channels, 1f) : c.Weight(norm.Gamma);
        string offset = norm.Beta is null ? c.Constant("beta", channels, 0f) : c.Weight(norm.Beta);
        string mean = c.Weight(norm.MovingMean), variance = c.Weight(norm.MovingVariance);
        bool lastAxisOfRank2 = c.InputShape.Length == 2;
        string input = lastAxisOfRank2 ? c.Reshape(c.Input, [channels]) : c.Input;
        string output = c.Op("BatchNormalization", [input, scale, offset, mean, variance],
            Float("epsilon", norm.Epsilon));
        return lastAxisOfRank2 ? c.Reshape(output, c.OutputShape) : output;
    }

    /// <summary>The name of the layer that added each node, for readable node names.</summary>
    private static string[] LayerOfEachNode(ModelGraph model)
    {
        string[] scopes = new string[model.Graph.Nodes.Count];
        int next = 0;
        foreach (BuiltLayer layer in model.Layers)
        {
            // A layer that adds no node (a linear Activation) leaves its output where it was.
            int last = layer.Output.Producer?.Index ?? -1;
            for (; next <= last; next++) scopes[next] = layer.Name;
        }
        return scopes;
    }

    private static GpuNetException Unsupported(NodeContext c, string what) =>
        new($"{c.Scope}: its op '{what}' has no ONNX export; export supports Dense, Conv2D, the pooling layers, " +
            "BatchNormalization, the activations, Softmax, PReLU, LeakyReLU, Dropout, Flatten and Reshape");
}
