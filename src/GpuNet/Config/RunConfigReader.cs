using GpuNet.Backends;
using GpuNet.Parameters;
using GpuNet.Losses;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GpuNet.Config;

/// <summary>Reads a run config from YAML (or JSON, which YAML includes) with errors that point into the file.</summary>
public static class RunConfigReader
{
    private static readonly string[] TopLevelKeys =
        ["name", "dataset", "model", "loss", "optimizer", "metrics", "batch_size", "epochs", "seed", "callbacks",
            "validation_data", "validation_split", "training_range", "backend",
         "augmentation", "ensemble", "test_time_augmentation", "rotated_test", "lecture", "checkpoint_every"];

    public static RunConfig ReadFile(string path)
    {
        if (!File.Exists(path))
            throw new GpuNetException(Directory.Exists(path)
                ? $"{path}: is a folder; expected a config file (.yaml or .json)" : $"{path}: config file not found");
        return Read(path, File.ReadAllText(path));
    }

    public static RunConfig Read(string file, string text)
    {
        ConfigNode root = Parse(file, text);
        var values = root.Entries().ToDictionary(e => e.Key, e => e.Value);
        foreach (var (key, node) in values)
        {
            if (!TopLevelKeys.Contains(key))
                throw node.Error($"unknown key '{key}'; valid keys are {string.Join(", ", TopLevelKeys)}");
        }
        ConfigNode model = values.GetValueOrDefault("model") ?? throw root.Error("missing required key 'model'");
        var (inputShape, layers) = ReadModel(model);
        return new RunConfig
        {
            SourceFile = file,
            SourceText = text,
            Name = values.GetValueOrDefault("name")?.AsString() ?? Path.GetFileNameWithoutExtension(file),
            Dataset = values.GetValueOrDefault("dataset")?.AsString() ?? "mnist",
            InputShape = inputShape,
            Layers = layers.Select(LayerCatalog.Read).ToList(),
            LayerNodes = layers.Select(entry => entry.Node).ToList(),
            Loss = ReadLoss(values.GetValueOrDefault("loss") ?? throw root.Error("missing required key 'loss'")),
            CreateOptimizer = OptimizerCatalog.Read(values.GetValueOrDefault("optimizer")
                ?? throw root.Error("missing required key 'optimizer'")),
            Metrics = ReadMetrics(values.GetValueOrDefault("metrics")),
            BatchSize = values.GetValueOrDefault("batch_size")?.AsPositiveInt() ?? 32,
            Epochs = values.GetValueOrDefault("epochs")?.AsPositiveInt() ?? 1,
            Seed = values.GetValueOrDefault("seed")?.AsUnsignedLong() ?? 0,
            CreateCallbacks = CallbackCatalog.Read(values.GetValueOrDefault("callbacks")),
            Validation = ReadValidation(values.GetValueOrDefault("validation_data"),
                values.GetValueOrDefault("validation_split")),
            TrainingRange = values.GetValueOrDefault("training_range") is { } range ? ReadRange(range) : null,
            Backend = values.GetValueOrDefault("backend") is { } backend ? ReadBackend(backend) : "auto",
            Augmentation = values.GetValueOrDefault("augmentation") is { } augmentation
                ? AugmentationCatalog.Read(augmentation) : null,
            Ensemble = values.GetValueOrDefault("ensemble") is { } ensemble ? EnsembleSettings.Read(ensemble) : null,
            TestEvaluation = TestEvaluationSettings.Read(values.GetValueOrDefault("test_time_augmentation"),
                values.GetValueOrDefault("rotated_test")),
            Lecture = values.GetValueOrDefault("lecture") is { } lecture ? LectureReference.Read(lecture) : null,
            CheckpointEvery = values.GetValueOrDefault("checkpoint_every") is { } every
                ? ReadCheckpointEvery(every)
                : null,
        };
    }

    private static string ReadBackend(ConfigNode node)
    {
        string backend = node.AsString();
        return Backends.AcceleratorFactory.Backends.Contains(backend)
            ? backend
            : throw node.Error($"unknown backend '{backend}'; valid backends are {string.Join(", ",
                Backends.AcceleratorFactory.Backends)}");
    }

    private static ConfigNode Parse(string file, string text)
    {
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(text));
        try
        {
            YamlNesting.Check(file, parser);
            parser = new Parser(new StringReader(text));
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            // YamlDotNet prefixes its own "(Line: …)" position; ours comes first in the usual form.
            string reason = e.InnerException is YamlException inner ? inner.Message : e.Message;
            reason = System.Text.RegularExpressions.Regex.Replace(reason,
                @"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ", "");
            throw new ConfigException(file, (int)e.Start.Line, (int)e.Start.Column, "", $"YAML syntax error: {reason}");
        }
        catch (ArgumentException e)
        {
            // YamlDotNet's loader refuses some events it cannot place in a node tree this way (found by fuzzing: an
            // alias or a tag where a mapping key should be), as an argument error rather than a YamlException.
            var at = parser.Current?.Start ?? Mark.Empty;
            throw new ConfigException(file, (int)at.Line, (int)at.Column, "",
                $"YAML syntax error: {e.Message.Split(" (Parameter")[0]}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way when the text ends inside an open [ ] or { }.
            var end = parser.Current?.End ?? Mark.Empty;
            throw new ConfigException(file, (int)end.Line, (int)end.Column, "",
                "YAML syntax error: the file ends inside an unclosed '[' or '{' that starts at or before this point");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode)
            throw new ConfigException(file, 1, 1, "",
                "expected a mapping with the keys model, loss, optimizer… at the top of the file");
        return new ConfigNode(file, "", stream.Documents[0].RootNode);
    }

    private static (int[], IReadOnlyList<KerasEntry>) ReadModel(ConfigNode model)
    {
        var args = new ConfigArguments(model, model);
        ConfigNode? shapeNode = args.Get("input_shape");
        int[]? inputShape = shapeNode?.AsIntList();
        if (inputShape is not null && (inputShape.Length == 0 || inputShape.Any(d => d <= 0)))
            throw shapeNode!.Error("expected positive sizes, like [28, 28] or [784]");
        IReadOnlyList<ConfigNode> layerNodes = args.Required("layers").Items();
        if (layerNodes.Count == 0) throw model.Error("'layers' is empty; a model needs at least one layer");
        args.RejectUnknown("model");
        // Keras's own place for the input shape: the first layer's input_shape, or an Input entry.
        var (declared, declaredAt, layers) = KerasInputShape.Take(layerNodes);
        if (declared is not null && inputShape is not null && !declared.SequenceEqual(inputShape))
        {
            throw declaredAt!.Error($"the input shape {Tensors.ShapeOf.Format(declared)} differs from " +
                                    $"model.input_shape {Tensors.ShapeOf.Format(inputShape)}; give it in one place");
        }
        return (declared ?? inputShape ?? [28, 28], layers);
    }

    // checkpoint_every: {steps: N} or {minutes: M}.
    private static Training.CheckpointSchedule ReadCheckpointEvery(ConfigNode node)
    {
        var args = new ConfigArguments(node, node);
        ConfigNode? steps = args.Get("steps"), minutes = args.Get("minutes");
        args.RejectUnknown("checkpoint_every");
        if ((steps is null) == (minutes is null))
            throw node.Error("expected {steps: N} or {minutes: M}, one of the two");
        if (steps is not null) return Training.CheckpointSchedule.EverySteps(steps.AsPositiveInt());
        float value = minutes!.AsFloat();
        return value > 0f
            ? Training.CheckpointSchedule.EveryMinutes(value)
            : throw minutes.Error($"expected a positive number of minutes, got {minutes.Scalar}");
    }

    private static ValidationChoice ReadValidation(ConfigNode? data, ConfigNode? split)
    {
        if (data is not null && split is not null)
            throw split.Error("give either validation_data or validation_split, not both");
        if (split is not null)
        {
            float fraction = split.AsFloat();
            return fraction is > 0f and < 1f ? new ValidationChoice.Split(fraction)
                : throw split.Error($"expected a fraction between 0 and 1, got {fraction}");
        }
        if (data is null) return ValidationChoice.Default;
        if (data.IsSequence)
        {
            var (start, end) = ReadRange(data);
            return new ValidationChoice.TrainingRange(start, end);
        }
        return data.AsString() switch
        {
            "test" => new ValidationChoice.TestSet(),
            "none" => new ValidationChoice.NoValidation(),
            string other =>
                throw data.Error($"expected test, none or a range of the training set like [50000, 60000], got " +
                    $"'{other}'"),
        };
    }

    private static (int, int) ReadRange(ConfigNode node)
    {
        int[] bounds = node.AsIntList();
        if (bounds.Length != 2 || bounds[0] < 0 || bounds[1] <= bounds[0])
            throw node.Error("expected a range [start, end] with 0 ≤ start < end, like [0, 10000]");
        return (bounds[0], bounds[1]);
    }

    private static Loss ReadLoss(ConfigNode node)
    {
        string name = node.AsString();
        if (!Loss.Names.Contains(name))
            throw node.Error($"unknown loss '{name}'; valid losses are {string.Join(", ", Loss.Names)}");
        return Loss.FromName(name);
    }

    /// <summary>
    /// Keras 2's names for the one metric GpuNet computes, the share of samples whose largest output
    /// is their class: with class indices (sparse_…) or one-hot rows (categorical_…) alike, since the
    /// datasets hold class indices. The history and progress bar call it accuracy whichever is given.
    /// </summary>
    internal static readonly string[] AccuracyNames =
    [
        "accuracy", "acc", "categorical_accuracy", "sparse_categorical_accuracy", "CategoricalAccuracy",
        "SparseCategoricalAccuracy",
    ];

    private static IReadOnlyList<string> ReadMetrics(ConfigNode? node)
    {
        if (node is null) return ["accuracy"];
        foreach (ConfigNode item in node.Items())
        {
            if (!AccuracyNames.Contains(item.AsString()))
            {
                throw item.Error($"unknown metric '{item.AsString()}'; " +
                                 $"valid metrics are {string.Join(", ", AccuracyNames)} (each the accuracy)");
            }
        }
        return ["accuracy"];
    }
}
