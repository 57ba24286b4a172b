using System.Globalization;
using System.Text;
using CommandLine;

namespace GpuNet.Cli.Commands;

[Verb("predict", HelpText = "Write the predicted class and the class probabilities of every test sample as CSV.")]
public sealed class PredictOptions : DataOptionsBase
{
    [Value(0, MetaName = "CONFIG", Required = true, HelpText = "The run config the weights were trained with.")]
    public string Config { get; set; } = "";

    [Option("weights", Required = true,
        HelpText = "A weights file (weights.safetensors of a run folder, or a checkpoint's).")]
    public string Weights { get; set; } = "";

    [Option("output", Required = true, HelpText = "The CSV file to write: index, label, predicted, p0 … p9.")]
    public string Output { get; set; } = "";
}

public static class PredictCommand
{
    public static int Run(PredictOptions options)
    {
        using var saved = SavedModel.Load(options.Config, options.Weights, options);
        var (trainer, test) = (saved.Trainer, saved.Test);
        float[] outputs = trainer.Predict(test);
        int classes = test.ClassCount;

        var csv = new StringBuilder("index,label,predicted");
        for (int c = 0; c < classes; c++) csv.Append(CultureInfo.InvariantCulture, $",p{c}");
        csv.Append('\n');
        int correct = 0;
        for (int i = 0; i < test.Count; i++)
        {
            ReadOnlySpan<float> row = outputs.AsSpan(i * classes, classes);
            int predicted = 0;
            for (int c = 1; c < classes; c++) if (row[c] > row[predicted]) predicted = c;
            if (predicted == test.Labels[i]) correct++;
            csv.Append(CultureInfo.InvariantCulture, $"{i},{test.Labels[i]},{predicted}");
            foreach (float p in row) csv.Append(CultureInfo.InvariantCulture, $",{p:0.######}");
            csv.Append('\n');
        }
        Serialization.AtomicFile.WriteAllText(options.Output, csv.ToString());
        Console.WriteLine($"Wrote {test.Count:N0} predictions to " +
            $"{options.Output} ({(double)correct / test.Count:P2} correct)");
        return 0;
    }
}
