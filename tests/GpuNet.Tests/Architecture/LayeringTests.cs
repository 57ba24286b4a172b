using System.Text.RegularExpressions;
using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using GpuNet.Cli.Commands;
using GpuNet.Kernels;
using GpuNet.Tests.Data;

namespace GpuNet.Tests.Architecture;

/// <summary>
/// The layers of the house (docs/architecture.md), enforced on the compiled assemblies: every
/// namespace sits in one layer, uses only its own layer and those below it, and no namespaces
/// depend on one another in a circle. The dependencies are read from the IL by ArchUnitNET, so a
/// type named in a signature, a body, an attribute or a generic argument all count.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>Bottom first. A namespace may use its own layer's namespaces and those of every layer below.</summary>
    public static readonly string[][] Layers =
    [
        ["GpuNet.Kernels"],
        ["GpuNet", "GpuNet.Numerics", "GpuNet.Random"],
        ["GpuNet.Accelerators"],
        ["GpuNet.Accelerators.Cpu.Contracts", "GpuNet.Accelerators.Cpu.Threads"],
        ["GpuNet.Accelerators.Cpu.Reference"],
        ["GpuNet.Accelerators.Cpu.Fast"],
        ["GpuNet.Accelerators.Cpu", "GpuNet.Accelerators.Ilgpu"],
        ["GpuNet.Backends"],
        ["GpuNet.Tensors"],
        ["GpuNet.Parameters"],
        ["GpuNet.Graph"],
        ["GpuNet.Ops"],
        ["GpuNet.Losses", "GpuNet.Optimizers"],
        ["GpuNet.Layers"],
        ["GpuNet.Models"],
        ["GpuNet.Data", "GpuNet.Data.Augmentation", "GpuNet.Serialization"],
        ["GpuNet.Training", "GpuNet.Ensembles"],
        ["GpuNet.Config", "GpuNet.Config.Import"],
        ["GpuNet.Diagnostics", "GpuNet.Benchmarks"],
        ["GpuNet.Reports"],
        ["GpuNet.Cli", "GpuNet.Cli.Commands"],
    ];

    private static readonly Lazy<IReadOnlyList<(string From, string To,
        string Example)>> Dependencies = new(ReadDependencies);

    [Fact]
    public void Every_namespace_has_its_layer()
    {
        var placed = Layers.SelectMany(layer => layer).ToHashSet();
        var namespaces = Dependencies.Value.SelectMany(d => new[] { d.From, d.To }).Distinct();
        Assert.Empty(namespaces.Where(ns => !placed.Contains(ns)).Order());
    }

    [Fact]
    public void No_namespace_reaches_into_a_layer_above_its_own()
    {
        var layerOf = LayerIndex();
        var upward = Dependencies.Value
            .Where(d => layerOf.TryGetValue(d.From, out int from) && layerOf.TryGetValue(d.To, out int to) && to > from)
            .Select(d => $"{d.From} (layer {layerOf[d.From]}) uses {d.To} (layer {layerOf[d.To]}): {d.Example}")
            .Order()
            .ToList();
        Assert.True(upward.Count == 0, "Dependencies that point up:\n" + string.Join("\n", upward));
    }

    [Fact]
    public void Namespaces_do_not_depend_on_one_another_in_a_circle()
    {
        var edges = Dependencies.Value.Where(d => d.From != d.To).GroupBy(d => d.From)
            .ToDictionary(g => g.Key, g => g.Select(d => d.To).Distinct().Order().ToList());
        List<string>? cycle = FindCycle(edges);
        Assert.True(cycle is null, "A cycle of namespaces: " + string.Join(" → ", cycle ?? []));
    }

    [Fact]
    public void The_checks_see_a_dependency_that_points_up_and_a_cycle()
    {
        // The rules themselves, on a made-up graph: the dependency reader is only as good as these.
        var layerOf = LayerIndex();
        Assert.True(layerOf["GpuNet.Graph"] < layerOf["GpuNet.Models"]);
        Assert.Equal(["a", "b", "c", "a"],
            FindCycle(new Dictionary<string, List<string>> { ["a"] = ["b"], ["b"] = ["c"], ["c"] = ["a"] }));
        Assert.Null(FindCycle(new Dictionary<string, List<string>> { ["a"] = ["b"], ["b"] = ["c"] }));
        // And the reader finds a real edge in each direction we rely on.
        Assert.Contains(Dependencies.Value, d => d.From == "GpuNet.Graph" && d.To == "GpuNet.Accelerators");
        Assert.Contains(Dependencies.Value, d => d.From == "GpuNet.Accelerators.Ilgpu" && d.To == "GpuNet.Kernels");
    }

    [Fact]
    public void The_layer_diagram_in_the_docs_is_the_one_enforced()
    {
        // docs/architecture.md shows the layers top first, one line each: namespaces separated by
        // ", ", then two or more spaces and what the layer holds.
        string doc = File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "docs", "architecture.md"));
        int marker = doc.IndexOf("<!-- layers:", StringComparison.Ordinal);
        Assert.True(marker >= 0, "docs/architecture.md has lost its '<!-- layers:' marker");
        int open = doc.IndexOf("```\n", marker, StringComparison.Ordinal) + 4;
        string block = doc[open..doc.IndexOf("```", open, StringComparison.Ordinal)];
        var documented = block.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => string.Join(", ", Regex.Split(line.Trim(), " {2,}")[0].Split(", ")))
            .ToList();
        var enforced = Enumerable.Reverse(Layers).Select(layer => string.Join(", ", layer)).ToList();
        Assert.Equal(enforced, documented);
    }

    private static Dictionary<string, int> LayerIndex()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Layers.Length; i++)
            foreach (string ns in Layers[i]) index.Add(ns, i);
        return index;
    }

    /// <summary>One path that comes back to where it started, or null.</summary>
    private static List<string>? FindCycle(IReadOnlyDictionary<string, List<string>> edges)
    {
        var state = new Dictionary<string, int>(); // 1: on the path, 2: done
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (string next in edges.TryGetValue(node, out var targets) ? targets : [])
            {
                if (state.GetValueOrDefault(next) == 1) return [.. path[path.IndexOf(next)..], next];
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found) return found;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        foreach (string node in edges.Keys.Order())
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle) return cycle;
        return null;
    }

    private static IReadOnlyList<(string From, string To, string Example)> ReadDependencies()
    {
        ArchUnitNET.Domain.Architecture architecture = new ArchLoader()
            .LoadAssemblies(typeof(GpuNetException).Assembly, typeof(Philox).Assembly, typeof(DoctorCommand).Assembly)
            .Build();
        // A generic parameter has no namespace.
        static string NamespaceOf(IType type) => type.Namespace?.FullName ?? "";
        return architecture.Types
            .Where(type => IsOurs(NamespaceOf(type)))
            .SelectMany(type => type.Dependencies
                .Where(d => d.Target is not null && IsOurs(NamespaceOf(d.Target)))
                .Select(d => (From: NamespaceOf(type), To: NamespaceOf(d.Target),
                    Example: $"{type.Name} → {d.Target.Name}")))
            .GroupBy(d => (d.From, d.To))
            .Select(g => g.First())
            .ToList();
    }

    private static bool IsOurs(string ns) => ns == "GpuNet" || ns.StartsWith("GpuNet.", StringComparison.Ordinal);
}
