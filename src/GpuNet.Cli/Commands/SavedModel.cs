using GpuNet.Accelerators.Cpu;
using GpuNet.Config;
using GpuNet.Data;
using GpuNet.Training;

namespace GpuNet.Cli.Commands;

/// <summary>A config's model with saved weights and the dataset's test set: what evaluate and predict start from.</summary>
internal static class SavedModel
{
    public static (Trainer Trainer, Dataset Test) Load(string configFile, string weightsFile, string? dataDirectory)
    {
        RunConfig config = RunConfigReader.ReadFile(configFile);
        var trainer = new Trainer(config.CreateModel(), config.Loss, config.CreateOptimizer(), new CpuAccelerator(), config.Seed);
        try
        {
            trainer.LoadWeights(weightsFile);
            var (_, test) = DatasetLoader.Load(config.Dataset, dataDirectory, Console.Out);
            return (trainer, test);
        }
        catch
        {
            trainer.Dispose();
            throw;
        }
    }
}
