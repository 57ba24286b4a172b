using GpuNet.Tests.Data;

namespace GpuNet.Tests.Architecture;

/// <summary>
/// No line of a .cs file passes 120 columns: a rule the .editorconfig states (max_line_length) and no compiler
/// holds, so this test holds it for every source file under src/, kernels/, tests/ and bench/.
/// </summary>
public sealed class LineLengthTests
{
    private const int MaxColumns = 120;

    private const int Shown = 20;

    [Fact]
    public void No_cs_line_is_longer_than_120_columns()
    {
        string root = TestData.RepositoryRoot;
        var offenders = new[] { "src", "kernels", "tests", "bench" }
            .Select(folder => Path.Combine(root, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
            .Select(file => Path.GetRelativePath(root, file).Replace('\\', '/'))
            .Where(path => !path.Split('/').Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal)
            .SelectMany(path => File.ReadLines(Path.Combine(root, path))
                .Select((line, index) => (Line: index + 1, Columns: line.EnumerateRunes().Count()))
                .Where(l => l.Columns > MaxColumns)
                .Select(l => $"{path}:{l.Line} ({l.Columns} columns)"))
            .ToList();

        Assert.True(offenders.Count == 0,
            $"{offenders.Count} line(s) longer than {MaxColumns} columns:\n" +
            string.Join("\n", offenders.Take(Shown)) +
            (offenders.Count > Shown ? $"\n… and {offenders.Count - Shown} more" : ""));
    }
}
