using CommandLine;
using GpuNet.Config;
using GpuNet.Models;
using GpuNet.Serialization;
using GpuNet.Training;

namespace GpuNet.Cli.Commands;

[Verb("export", HelpText = "Write a trained network's inference graph as an ONNX model (opset 13).")]
public sealed class ExportOptions
{
    [Value(0, MetaName = "RUN_DIR|CONFIG", Required = true,
        HelpText = "A run folder written by gpunet train (its config.yaml and weights), " +
                   "or a config file with --weights.")]
    public string Source { get; set; } = "";

    [Option("weights",
        HelpText = "With a config file: the weights file (weights.safetensors of a run folder, or a checkpoint's).")]
    public string? Weights { get; set; }

    [Option("onnx", Required = true, HelpText = "The ONNX file to write.")]
    public string Onnx { get; set; } = "";
}

public static class ExportCommand
{
    public static int Run(ExportOptions options)
    {
        var (configFile, weightsFile) = Locate(options);
        RunConfig config = RunConfigReader.ReadFile(configFile);
        ModelGraph model = config.CreateModel().Build();
        var (tensors, _) = SafeTensorsFile.Read(weightsFile);
        OnnxExport.Write(options.Onnx, OnnxExport.Build(model, tensors, weightsFile));
        Console.WriteLine($"Wrote {options.Onnx}: ONNX opset {OnnxExport.Opset}, input '{OnnxExport.InputName}' " +
                          $"[batch, {string.Join(", ", model.Input.SampleShape)}], output '{OnnxExport.OutputName}' " +
                          $"[batch, {string.Join(", ", model.Output.SampleShape)}] (from {weightsFile})");
        return 0;
    }

    private static (string Config, string Weights) Locate(ExportOptions options)
    {
        if (!Directory.Exists(options.Source))
        {
            if (options.Weights is null)
            {
                throw new GpuNetException(
                    $"{options.Source}: is not a run folder; with a config file, name its weights with --weights FILE");
            }
            return (options.Source, options.Weights);
        }
        if (options.Weights is not null)
        {
            throw new GpuNetException(
                $"{options.Source}: is a run folder, which holds its own weights; --weights goes with a config file");
        }
        RunFolder folder = RunFolder.Open(options.Source);
        if (File.Exists(folder.WeightsFile) && File.Exists(folder.ConfigFile))
            return (folder.ConfigFile, folder.WeightsFile);
        if (Directory.Exists(folder.Combine("member-1")))
        {
            throw new GpuNetException($"{folder.Path}: is an ensemble's run folder; export one member, " +
                                      $"e.g. gpunet export {folder.Combine("member-1")} --onnx …");
        }
        string missing = File.Exists(folder.ConfigFile) ? folder.WeightsFile : folder.ConfigFile;
        throw new GpuNetException(
            $"{missing}: not found; a finished run folder holds config.yaml and weights.safetensors " +
            "(for an unfinished run, give its config and a checkpoint's weights: CONFIG --weights FILE)");
    }
}
