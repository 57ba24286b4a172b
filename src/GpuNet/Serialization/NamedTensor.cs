namespace GpuNet.Serialization;

/// <summary>A float32 tensor with a name, as stored in a weights file.</summary>
public sealed record NamedTensor(string Name, int[] Shape, float[] Values);
