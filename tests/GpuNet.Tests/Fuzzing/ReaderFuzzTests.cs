using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GpuNet.Accelerators.Cpu;
using GpuNet.Config;
using GpuNet.Data;
using GpuNet.Layers;
using GpuNet.Losses;
using GpuNet.Models;
using GpuNet.Optimizers;
using GpuNet.Serialization;
using GpuNet.Tests.Data;
using GpuNet.Training;
using Xunit.Abstractions;

namespace GpuNet.Tests.Fuzzing;

/// <summary>
/// Every reader of a file a user hands GpuNet — configs (YAML and JSON), IDX files (raw and
/// gzipped), safetensors weights, checkpoint.json and history.json — on thousands of mutated
/// copies of valid files: each is read, or refused with a <see cref="GpuNetException"/> that says
/// why; nothing else. The cases are the same every run (a fixed FsCheck seed per reader).
/// </summary>
public sealed class ReaderFuzzTests(ITestOutputHelper output) : IDisposable
{
    private static readonly GpuNet.Accelerators.Cpu.CpuAccelerator Cpu = new();

    private readonly string _folder = Directory.CreateTempSubdirectory("gpunet-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task Fuzz(string reader, IReadOnlyList<byte[]> seeds, Action<byte[]> read, int cases,
        ulong randomSeed)
    {
        // The seeds themselves must be read: otherwise every mutation would be refused for nothing.
        foreach (byte[] seed in seeds) read(seed);
        ReaderFuzzer.Outcome outcome = await ReaderFuzzer.Run(reader, seeds, read, cases, randomSeed);
        output.WriteLine(outcome.ToString());
        Assert.True(outcome.Accepted > 0 && outcome.Refused > 0,
            $"the mutations should both keep some files readable and break others: {outcome}");
    }

    [Fact]
    public Task Config_files_yaml_and_json() =>
        Fuzz("config (YAML and JSON)", ConfigSeeds(), ReadConfig, cases: 4000, randomSeed: 17);

    [Fact]
    public Task Idx_files_raw() => Fuzz("IDX (raw)", [SeedImages, SeedLabels], ReadIdx, cases: 3000, randomSeed: 23);

    [Fact]
    public Task Idx_files_gzipped() =>
        Fuzz("IDX (gzip)", [Gzip(SeedImages), Gzip(SeedLabels)], bytes => ReadIdxFile(bytes, "fuzz.idx.gz"),
            cases: 2000, randomSeed: 29);

    [Fact]
    public Task Safetensors_files() =>
        Fuzz("safetensors", SafeTensorsSeeds(), ReadSafeTensors, cases: 2500, randomSeed: 31);

    [Fact]
    public async Task Checkpoint_json_as_written()
    {
        var (folder, seeds) = FuzzSeeds.Checkpoints(_folder);
        using var trainer = FuzzSeeds.CheckpointTrainer();
        await Fuzz("checkpoint.json (as written)", seeds, bytes => ReadCheckpoint(folder, bytes, trainer), cases: 1000,
            randomSeed: 37);
    }

    [Fact]
    public async Task Checkpoint_json_state_with_its_checksum_remade()
    {
        // Past the checksum: the state is mutated and signed again, so the fields themselves are read.
        var (folder, seeds) = FuzzSeeds.Checkpoints(_folder);
        var states = seeds.Select(s =>
            Encoding.UTF8.GetBytes(JsonDocument.Parse(s).RootElement.GetProperty("state").GetRawText())).ToList();
        using var trainer = FuzzSeeds.CheckpointTrainer();
        await Fuzz("checkpoint.json (state re-signed)", states, state => ReadCheckpoint(folder, Signed(state), trainer),
            cases: 3000, randomSeed: 41);
    }

    [Fact]
    public Task History_json() => Fuzz("history.json", HistorySeeds(), ReadHistory, cases: 2500, randomSeed: 43);

    // ---- configs ----

    private static IReadOnlyList<byte[]> ConfigSeeds()
    {
        string configs = Path.Combine(TestData.RepositoryRoot, "configs");
        var seeds = Directory.EnumerateFiles(configs, "*.yaml",
            SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        seeds.Add(Encoding.UTF8.GetBytes(FuzzSeeds.JsonConfig));
        seeds.Add(Encoding.UTF8.GetBytes(FuzzSeeds.ConfigWithEveryKey));
        seeds.Add(Encoding.UTF8.GetBytes(FuzzSeeds.ConfigWithWeights));
        return seeds;
    }

    internal static void ReadConfig(byte[] bytes)
    {
        RunConfig config = RunConfigReader.Read("fuzz.yaml", Encoding.UTF8.GetString(bytes));
        ModelGraph model = config.CreateModel().Build();
        _ = model.Summary();
        Optimizer optimizer = config.CreateOptimizer();
        _ = config.CreateCallbacks();
        ModelFootprint.Of(model, Cpu, optimizer, config.BatchSize).CheckIndexLimits();
    }

    // ---- IDX ----

    private static readonly byte[] SeedImages = IdxBytes.Images(3, 5, 4, (sample, i) => (byte)(sample * 40 + i * 7));
    private static readonly byte[] SeedLabels = IdxBytes.Labels(7, 0, 9);

    internal static void ReadIdx(byte[] bytes) => PairWithSeed(IdxReader.Parse(bytes, "fuzz.idx"));

    private void ReadIdxFile(byte[] bytes, string name)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        PairWithSeed(IdxReader.Read(path));
    }

    // A file that reads is paired with the other kind's seed, as a dataset is made of both.
    private static void PairWithSeed(IdxFile file)
    {
        if (file.Dimensions.Count == 3) Dataset.FromIdx(file, IdxReader.Parse(SeedLabels, "labels.idx"));
        else Dataset.FromIdx(IdxReader.Parse(SeedImages, "images.idx"), file);
    }

    private static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal)) gzip.Write(content);
        return buffer.ToArray();
    }

    // ---- safetensors ----

    private IReadOnlyList<byte[]> SafeTensorsSeeds()
    {
        string a = Path.Combine(_folder, "a.safetensors"), b = Path.Combine(_folder, "b.safetensors");
        SafeTensorsFile.Write(a,
            [new NamedTensor("dense/kernel", [3, 2], [1, 2, 3, 4, 5, 6]),
                new NamedTensor("dense/bias", [2], [0.5f, -0.5f])],
            new Dictionary<string, string> { ["format"] = "gpunet-weights-1" });
        SafeTensorsFile.Write(b,
            [new NamedTensor("scalar", [], [7]), new NamedTensor("empty", [0, 4], []),
                new NamedTensor("conv/kernel", [2, 1, 2, 2], new float[8])]);
        return [File.ReadAllBytes(a), File.ReadAllBytes(b)];
    }

    private static void ReadSafeTensors(byte[] bytes) => SafeTensorsFile.Parse(bytes, "fuzz.safetensors");

    // ---- checkpoint.json ----

    /// <param name="trainer">One trainer for every case: a restore overwrites all it restores.</param>
    internal static void ReadCheckpoint(RunFolder folder, byte[] bytes, Trainer trainer)
    {
        File.WriteAllBytes(folder.CheckpointFile, bytes);
        Checkpoint checkpoint = Checkpoint.Load(folder);
        checkpoint.Restore(trainer, FuzzSeeds.CheckpointCallbacks(), folder.CheckpointFile);
    }

    internal static byte[] Signed(byte[] state)
    {
        string text = Encoding.UTF8.GetString(state).Trim();
        string sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        return Encoding.UTF8.GetBytes($"{{\"sha256\":\"{sha}\",\"state\":{text}}}");
    }

    // ---- history.json ----

    private IReadOnlyList<byte[]> HistorySeeds()
    {
        var folder = RunFolder.Create(_folder, "history", DateTime.UnixEpoch, "config");
        var history = new History(
        [
            new EpochLogs(1, 0.9f, 0.7f, 0.8f, 0.75f, 1.5,
                0.01f) { GradientNorms = [new LayerGradientNorm("dense", 0.3f),
                    new LayerGradientNorm("dense_1", 0.1f)] },
            new EpochLogs(2, 0.5f, 0.85f, null, null, 1.25, 0.005f),
        ]);
        HistoryFiles.Write(folder, history);
        return [File.ReadAllBytes(folder.HistoryJsonFile)];
    }

    private static void ReadHistory(byte[] bytes) => HistoryFiles.Parse(Encoding.UTF8.GetString(bytes), "history.json");
}
