using GpuNet.Parameters;
using GpuNet.Graph;

namespace GpuNet.Models;

/// <summary>A layer as it stands in a built model: its unique name, output and parameters.</summary>
public sealed record BuiltLayer(Layers.Layer Layer, string Name, Value Output, IReadOnlyList<Parameter> Parameters)
{
    public long ParameterCount => Parameters.Sum(p => (long)p.Length);
}
