using CommandLine;
using GpuNet.Config;
using GpuNet.Config.Import;

namespace GpuNet.Cli.Commands;

[Verb("import-keras",
    HelpText = "Turn a Keras Sequential model (model.to_json() output, or a .keras file) into a GpuNet config.")]
public sealed class ImportKerasOptions
{
    [Value(0, MetaName = "MODEL", Required = true,
        HelpText = "The JSON of model.to_json() (Keras 2 or 3), or a Keras 3 .keras file.")]
    public string Model { get; set; } = "";

    [Option('o', "output", HelpText = "The config file to write (printed when not given).")]
    public string? Output { get; set; }
}

public static class ImportKerasCommand
{
    public static int Run(ImportKerasOptions options)
    {
        string config = KerasModelImport.ToConfig(KerasModelFile.Read(options.Model));
        RunConfig read;
        Models.ModelGraph model;
        try
        {
            read = RunConfigReader.Read(options.Output ?? "imported.yaml", config);
            model = read.CreateModel().Build();
        }
        catch (ConfigException e)
        {
            // Keras allows some connections GpuNet does not, such as Dense on an image without Flatten.
            throw new GpuNetException(
                $"{options.Model}: imports to a model GpuNet cannot build: {e.ConfigPath}: {e.Reason}");
        }
        if (options.Output is null)
        {
            Console.Write(config);
            return 0;
        }
        Serialization.AtomicFile.WriteAllText(options.Output, config);
        long parameters = model.TrainableParameterCount + model.NonTrainableParameterCount;
        Console.WriteLine($"Wrote {options.Output}: {read.Layers.Count} layers, {parameters:N0} parameters " +
                          $"(gpunet summary {options.Output} prints the table)");
        return 0;
    }
}
