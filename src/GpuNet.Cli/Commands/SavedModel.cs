using GpuNet.Backends;
using GpuNet.Accelerators;
using GpuNet.Config;
using GpuNet.Data;
using GpuNet.Training;

namespace GpuNet.Cli.Commands;

/// <summary>A config's model with saved weights on the chosen backend, and the dataset's test set: what evaluate and
/// predict start from.</summary>
internal sealed class SavedModel : IDisposable
{
    private readonly IAccelerator _accelerator;

    private SavedModel(IAccelerator accelerator, Trainer trainer, Dataset test)
    {
        _accelerator = accelerator;
        Trainer = trainer;
        Test = test;
    }

    public Trainer Trainer { get; }

    public Dataset Test { get; }

    public static SavedModel Load(string configFile, string weightsFile, DataOptionsBase options)
    {
        RunConfig config = RunConfigReader.ReadFile(configFile);
        IAccelerator accelerator = AcceleratorFactory.Create(options.Backend ?? config.Backend, Console.Out);
        Trainer? trainer = null;
        try
        {
            trainer = new Trainer(config.CreateModel(), config.Loss, config.CreateOptimizer(), accelerator,
                config.Seed);
            trainer.LoadWeights(weightsFile);
            var (_, test) = DatasetLoader.Load(config.Dataset, options.DataDirectory, Console.Out);
            return new SavedModel(accelerator, trainer, test);
        }
        catch
        {
            trainer?.Dispose();
            accelerator.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Trainer.Dispose();
        _accelerator.Dispose();
    }
}
