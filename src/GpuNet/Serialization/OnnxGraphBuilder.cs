using GpuNet.Parameters;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace GpuNet.Serialization;

/// <summary>
/// Appends ONNX nodes and initializers to a graph under readable, unique names ("conv2d/Conv",
/// "dense_1/kernel"), with the attribute forms the operators take.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _names = [];

    public GraphProto Graph { get; } = new();

    /// <summary>A float32 tensor of the graph's weights stored raw: little-endian, as every .NET platform is.</summary>
    public string Initializer(string name, int[] shape, float[] values)
    {
        var tensor = new TensorProto
        {
            Name = Unique(name),
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())),
        };
        tensor.Dims.AddRange(shape.Select(d => (long)d));
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>An int64 vector, such as the target shape a Reshape reads.</summary>
    public string Int64Initializer(string name, long[] values)
    {
        var tensor = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Appends one node of <paramref name="opType"/> and returns the name of its output.</summary>
    public string Node(string opType, string scope, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        string name = Unique($"{scope}/{opType}");
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(name);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return name;
    }

    /// <summary>
    /// Gives the tensor <paramref name="from"/> the name <paramref name="to"/> where it is made, or through an
    /// Identity where it is a graph input.
    /// </summary>
    public void Rename(string from, string to)
    {
        NodeProto? producer = Graph.Node.LastOrDefault(n => n.Output.Contains(from));
        if (producer is null)
        {
            var identity = new NodeProto { OpType = "Identity", Name = Unique($"{to}/Identity") };
            identity.Input.Add(from);
            identity.Output.Add(to);
            Graph.Node.Add(identity);
            return;
        }
        producer.Output[producer.Output.IndexOf(from)] = to;
        foreach (NodeProto reader in Graph.Node)
        {
            for (int i = 0; i < reader.Input.Count; i++)
            {
                if (reader.Input[i] == from) reader.Input[i] = to;
            }
        }
    }

    /// <summary>A float32 tensor of [batch, …] with a named batch dimension, for the graph's input or
    /// output.</summary>
    public static ValueInfoProto BatchOf(string name, IEnumerable<int> sampleShape)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        shape.Dim.AddRange(sampleShape.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor
                {
                    ElemType = (int)TensorProto.Types.DataType.Float,
                    Shape = shape,
                },
            },
        };
    }

    public static AttributeProto Ints(string name, params int[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values.Select(v => (long)v));
        return attribute;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private string Unique(string name)
    {
        string candidate = name;
        for (int suffix = 1; !_names.Add(candidate); suffix++) candidate = $"{name}_{suffix}";
        return candidate;
    }
}
