using System.Globalization;
using System.Text;
using GpuNet.Accelerators;
using GpuNet.Config;
using GpuNet.Data;
using GpuNet.Training;

namespace GpuNet.Benchmarks;

/// <summary>
/// Trains each network of a suite for a few epochs and measures what the lectures compare: time
/// per epoch, throughput, accuracy, and how the gradient's size changes from layer to layer.
/// </summary>
public static class NetworkBenchmark
{
    public static NetworkBenchmarkResult Run(RunConfig config, Dataset train, Dataset test, IAccelerator accelerator,
        int epochs)
    {
        var model = config.CreateModel();
        // Warm-up on a few batches first, so the timed epochs measure steady state, not JIT compilation.
        using (var warmUp = new Trainer(model, config.Loss, config.CreateOptimizer(), accelerator, config.Seed))
            warmUp.Fit(train.Slice(0, Math.Min(train.Count, config.BatchSize * 5)), 1, config.BatchSize);

        using var trainer = new Trainer(model, config.Loss, config.CreateOptimizer(), accelerator, config.Seed);
        History history = trainer.Fit(train, epochs, config.BatchSize);
        double secondsPerEpoch = Statistics.Median(history.Epochs.Select(e => e.Seconds));
        return new NetworkBenchmarkResult(
            config.Name,
            trainer.Model.TrainableParameterCount + trainer.Model.NonTrainableParameterCount,
            epochs,
            secondsPerEpoch,
            train.Count / secondsPerEpoch,
            trainer.Evaluate(test).Accuracy,
            history.Epochs[0].GradientNorms,
            history.Epochs[^1].GradientNorms);
    }

    public static string ToMarkdown(IReadOnlyList<NetworkBenchmarkResult> results, string machine)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {machine}").AppendLine();
        text.AppendLine("| network | parameters | epochs | s/epoch | samples/s | test accuracy | " +
            "‖∇W‖ per layer, first epoch | ‖∇W‖ per layer, last epoch |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---|---|");
        foreach (var r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.Parameters:N0} | {r.Epochs} | {r.SecondsPerEpoch:0.00} | " +
                $"{r.SamplesPerSecond:N0} | {r.TestAccuracy:P2} | {Norms(r.FirstEpochGradientNorms)} | " +
                $"{Norms(r.LastEpochGradientNorms)} |");
        }
        return text.ToString();
    }

    public static string ToCsv(IReadOnlyList<NetworkBenchmarkResult> results)
    {
        var text =
            new StringBuilder("network,parameters,epochs,seconds_per_epoch,samples_per_second,test_accuracy,layer," +
                "gradient_norm_first_epoch,gradient_norm_last_epoch\n");
        foreach (var r in results)
        {
            for (int i = 0; i < r.FirstEpochGradientNorms.Count; i++)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"{r.Name},{r.Parameters},{r.Epochs},{r.SecondsPerEpoch:0.###},{r.SamplesPerSecond:0}," +
                    $"{r.TestAccuracy:0.####},{r.FirstEpochGradientNorms[i].Layer}," +
                    $"{r.FirstEpochGradientNorms[i].Norm:G4},{r.LastEpochGradientNorms[i].Norm:G4}\n");
            }
        }
        return text.ToString();
    }

    /// <summary>Gradient norms first layer to last, two significant digits each: 1.8e-5 5.3e-5 …</summary>
    public static string Norms(IReadOnlyList<LayerGradientNorm> norms) =>
        string.Join(" ", norms.Select(n => n.Norm.ToString("0.0e0", CultureInfo.InvariantCulture)));
}
