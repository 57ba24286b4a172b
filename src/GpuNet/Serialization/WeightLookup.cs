using GpuNet.Tensors;

namespace GpuNet.Serialization;

/// <summary>
/// Finds a model's parameter among the tensors of a weights file, refusing a file saved from another model.
/// </summary>
public static class WeightLookup
{
    /// <param name="source">What the tensors came from, for the error message (usually a file).</param>
    public static NamedTensor Expect(
        IReadOnlyDictionary<string, NamedTensor> tensors, string name, int[] shape, string source)
    {
        if (!tensors.TryGetValue(name, out NamedTensor? t))
        {
            var weights = tensors.Keys.Where(k => !k.StartsWith("optimizer/", StringComparison.Ordinal));
            string found = string.Join(", ", weights.Take(6));
            throw new GpuNetException(
                $"{source}: has no tensor '{name}', so it was saved from a different model (it holds {found}…)");
        }
        if (!t.Shape.SequenceEqual(shape))
        {
            throw new GpuNetException(
                $"{source}: tensor '{name}' has shape {ShapeOf.Format(t.Shape)} " +
                $"but this model needs {ShapeOf.Format(shape)}; it was saved from a different architecture");
        }
        return t;
    }
}
