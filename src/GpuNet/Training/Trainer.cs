using System.Diagnostics;
using GpuNet.Accelerators;
using GpuNet.Data;
using GpuNet.Graph;
using GpuNet.Losses;
using GpuNet.Models;
using GpuNet.Parameters;
using GpuNet.Ops;
using GpuNet.Optimizers;
using GpuNet.Random;
using GpuNet.Serialization;

namespace GpuNet.Training;

/// <summary>
/// A model compiled onto an accelerator with a loss and an optimizer, and the loops that train,
/// evaluate and predict with it — Keras's compile/fit/evaluate/predict.
/// </summary>
public sealed class Trainer : IDisposable
{
    private const int MetricLoss = 0, MetricCorrect = 1;

    /// <summary>The batch size of <see cref="Evaluate"/> and <see cref="Predict"/> unless told otherwise.</summary>
    public const int EvaluationBatchSize = 500;

    private readonly Dictionary<(int, bool), StepBuffers> _stepBuffers = [];
    // The epoch's loss sum and correct count so far, [2], summed on the device.
    private readonly DeviceBuffer _metrics;
    private readonly GradientNormMonitor _gradientNorms;
    // Where each trainable parameter's update adds its gradient's Σg² for the norms (kernels only).
    private readonly GradientSquares?[] _gradientSquares;
    private readonly float[] _hostMetrics = new float[2];
    // Where the host reads the metrics only every few steps (a GPU), each step of the window also
    // sums its own loss and correct count into [2 · window], so the first bad step is still named.
    private readonly int _stepsPerRead;
    private readonly DeviceBuffer? _stepMetrics;
    private readonly float[] _hostStepMetrics;
    private readonly int[] _windowCounts;
    private int[] _inOrder = [];
    private BatchPrefetcher? _prefetcher;
    private readonly OpContext _context;
    // Lists, not interfaces: a foreach over them runs every step and must not box an enumerator.
    private readonly List<Parameter> _trainable;
    private readonly List<Parameter> _regularized;
    // Set from any thread (a signal handler); read once per step.
    private volatile bool _stopRequested;
    // The epoch under way, for a checkpoint taken between two of its steps.
    private int _epoch, _stepsDone, _samplesSeen, _batchSize, _trainingSamples;
    private double _secondsBefore;
    private readonly Stopwatch _epochClock = new();

    public Trainer(Sequential model, Loss loss, Optimizer optimizer, IAccelerator accelerator, ulong seed = 0)
    {
        Model = model.Build();
        Loss = loss;
        Optimizer = optimizer;
        Accelerator = accelerator;
        Seed = seed;
        (LossKind, LossInput) = ChooseLossInput(Model, loss);
        _context = new OpContext(accelerator) { Seed = seed };
        _metrics = accelerator.Allocate(2);
        _stepsPerRead = Math.Max(1, accelerator.StepsPerMetricsRead);
        _windowCounts = new int[_stepsPerRead];
        _hostStepMetrics = new float[_stepsPerRead > 1 ? 2 * _stepsPerRead : 0];
        if (_stepsPerRead > 1) _stepMetrics = accelerator.Allocate(2 * _stepsPerRead);
        InitializeParameters();
        _trainable = Model.Parameters.Where(p => p.Trainable).ToList();
        _regularized = _trainable.Where(p => p.Regularizer is not null).ToList();
        optimizer.Build(accelerator, _trainable);
        _gradientNorms = new GradientNormMonitor(accelerator, Model);
        _gradientSquares = _gradientNorms.TargetsFor(_trainable);
    }

    public ModelGraph Model { get; }

    public Loss Loss { get; }

    public Optimizer Optimizer { get; }

    public IAccelerator Accelerator { get; }

    public ulong Seed { get; }

    /// <summary>The loss kernel actually run: softmax + categorical cross-entropy is fused on the logits.</summary>
    public LossKind LossKind { get; }

    /// <summary>The value the loss reads: the model output, or the logits under a fused softmax.</summary>
    public Value LossInput { get; }

    /// <summary>Optimizer steps taken so far; random ops draw from it.</summary>
    public long Iterations { get; private set; }

    /// <summary>Transforms applied to every training batch on the fly (new draws each epoch), or null.</summary>
    public Data.Augmentation.Augmentation? Augmentation { get; set; }

    /// <summary>Set by a callback to end training after the current epoch.</summary>
    public bool StopTraining { get; set; }

    /// <summary>
    /// Asks <see cref="Fit"/> to stop after the step under way (safe from any thread, e.g. a signal
    /// handler): the rest of its epoch is not trained, and <see cref="Interrupted"/> says so.
    /// </summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>
    /// True during the callbacks' OnBatchEnd of the step after which a requested stop ends training in
    /// the middle of an epoch: the step a checkpoint must keep. (A stop requested in an epoch's last
    /// step lets the epoch end, with its validation and end-of-epoch callbacks, and stops after it.)
    /// </summary>
    public bool StoppingAfterThisStep { get; private set; }

    /// <summary>True when the last <see cref="Fit"/> ended on <see cref="RequestStop"/> with epochs left to
    /// train.</summary>
    public bool Interrupted { get; private set; }

    /// <summary>
    /// Trains for epochs initialEpoch + 1 … epochs; a resumed run passes the epochs done and the history so far,
    /// and, to carry on in the middle of epoch initialEpoch + 1, where that epoch stood.
    /// </summary>
    public History Fit(Dataset train, int epochs, int batchSize, Dataset? validation = null,
        IReadOnlyList<TrainingCallback>? callbacks = null,
        int initialEpoch = 0, History? history = null, EpochProgress? resumeAt = null)
    {
        if (epochs <= 0) throw new GpuNetException($"epochs must be a positive integer, got {epochs}");
        if (batchSize <= 0) throw new GpuNetException($"batch size must be a positive integer, got {batchSize}");
        CheckFits(train);
        if (validation is not null) CheckFits(validation);
        ModelFootprint.Of(Model, Accelerator, Optimizer, batchSize, train.Count).CheckIndexLimits();
        CheckResumePosition(resumeAt, initialEpoch, batchSize, train.Count);
        callbacks ??= [];
        history ??= new History();
        int stepsPerEpoch = (train.Count + batchSize - 1) / batchSize;
        int[] order = new int[train.Count];
        StopTraining = Interrupted = StoppingAfterThisStep = false;
        _stopRequested = false;
        (_batchSize, _trainingSamples) = (batchSize, train.Count);
        foreach (var c in callbacks) c.OnTrainBegin(this, epochs, stepsPerEpoch, initialEpoch);

        for (int epoch = initialEpoch + 1; epoch <= epochs && !StopTraining; epoch++)
        {
            foreach (var c in callbacks) c.OnEpochBegin(epoch);
            _epochClock.Restart();
            // The order depends on (seed, epoch) alone, so a resumed run visits what the uninterrupted one would.
            Shuffle.Permutation(Seed, epoch, order);
            int firstStep = StartEpoch(epoch, resumeAt?.Epoch == epoch ? resumeAt : null);
            int seen = _samplesSeen, window = 0;
            BatchPrefetcher prefetcher = PrefetcherFor(batchSize);
            prefetcher.Prepare(train, order, firstStep, epoch, Augmentation, Seed);
            for (int step = firstStep; step < stepsPerEpoch; step++)
            {
                // Index loops: a foreach over the interface would box an enumerator every step.
                for (int c = 0; c < callbacks.Count; c++) callbacks[c].OnBatchBegin(epoch, step + 1, Iterations);
                int start = step * batchSize, count = Math.Min(batchSize, train.Count - start);
                var (images, targets) = prefetcher.Take(step, count);
                // The other slot is free again: the next batch is made while this step runs (or when it is taken).
                if (step + 1 < stepsPerEpoch) prefetcher.Prepare(train, order, step + 1, epoch, Augmentation, Seed);
                TrainStep(images.Span, targets.Span, count, window);
                _windowCounts[window++] = count;
                // A requested stop in the epoch's last step lets the epoch end, with its validation.
                bool stopping = _stopRequested && step + 1 < stepsPerEpoch;
                if (window < _stepsPerRead && step + 1 < stepsPerEpoch && !stopping) continue;
                int seenBefore = seen;
                for (int i = 0; i < window; i++) seen += _windowCounts[i];
                (_stepsDone, _samplesSeen) = (step + 1, seen);
                ReportWindow(epoch, step + 2 - window, window, seenBefore, stepsPerEpoch, stopping, callbacks);
                window = 0;
                if (stopping) break;
            }
            if (StoppingAfterThisStep)
            {
                Interrupted = true;
                break;
            }
            float trainLoss = _hostMetrics[MetricLoss] / seen, trainAccuracy = _hostMetrics[MetricCorrect] / seen;
            EvaluationResult? validationResult = validation is null ? null : Evaluate(validation);
            var logs = new EpochLogs(epoch, trainLoss, trainAccuracy, validationResult?.Loss,
                validationResult?.Accuracy, _secondsBefore + _epochClock.Elapsed.TotalSeconds, Optimizer.LearningRate)
            {
                GradientNorms = _gradientNorms.Read(stepsPerEpoch),
            };
            history.Add(logs);
            foreach (var c in callbacks) c.OnEpochEnd(logs);
            if (_stopRequested && epoch < epochs && !StopTraining)
            {
                Interrupted = true;
                break;
            }
        }
        foreach (var c in callbacks) c.OnTrainEnd(history);
        return history;
    }

    /// <summary>
    /// Where the epoch under way stands after its last finished step, for a checkpoint taken
    /// between steps (from a callback's OnBatchEnd); reads the running sums back from the accelerator.
    /// </summary>
    public EpochProgress CaptureProgress()
    {
        ReadMetrics();
        double seconds = _secondsBefore + _epochClock.Elapsed.TotalSeconds;
        return new EpochProgress(_epoch, _stepsDone, _samplesSeen, _hostMetrics[MetricLoss],
            _hostMetrics[MetricCorrect], _gradientNorms.ReadSums(), seconds, _batchSize, _trainingSamples);
    }

    /// <summary>A copy of every model parameter (trainable or not) by name.</summary>
    public IReadOnlyList<NamedTensor> GetWeights() =>
        Model.Parameters.Select(p => Download(p.Name, p.Shape, p.Value.Buffer)).ToList();

    /// <summary>Sets every model parameter from <paramref name="tensors"/>; names and shapes must match this model
    /// exactly.</summary>
    /// <param name="source">What the tensors came from, for the error message (usually a file).</param>
    public void SetWeights(IReadOnlyDictionary<string, NamedTensor> tensors, string source)
    {
        foreach (Parameter p in Model.Parameters)
        {
            NamedTensor t = Expect(tensors, p.Name, p.Shape, source);
            Accelerator.Upload(t.Values, p.Value.Buffer);
        }
    }

    /// <summary>Writes the model's parameters (trainable or not) as a safetensors file, atomically.</summary>
    public void SaveWeights(string path) =>
        SafeTensorsFile.Write(path, GetWeights(), new Dictionary<string, string> { ["format"] = "gpunet-weights-1" });

    /// <summary>Loads parameters saved by <see cref="SaveWeights"/> or a checkpoint (its optimizer state is
    /// ignored).</summary>
    public void LoadWeights(string path)
    {
        if (!File.Exists(path)) throw new GpuNetException($"{path}: weights file not found");
        SetWeights(SafeTensorsFile.Read(path).Tensors, path);
    }

    /// <summary>The optimizer's state tensors, named "optimizer/&lt;parameter&gt;/&lt;slot&gt;".</summary>
    public IReadOnlyList<NamedTensor> GetOptimizerState() =>
        Optimizer.Slots.Select(s => Download("optimizer/" + s.Name, s.Parameter.Shape, s.Buffer)).ToList();

    /// <summary>Restores the optimizer's state tensors and the step count of a checkpoint.</summary>
    public void SetOptimizerState(IReadOnlyDictionary<string, NamedTensor> tensors, long iterations, string source)
    {
        foreach (var (name, parameter, buffer) in Optimizer.Slots)
            Accelerator.Upload(Expect(tensors, "optimizer/" + name, parameter.Shape, source).Values, buffer);
        Iterations = iterations;
        Optimizer.Restore(iterations);
    }

    /// <summary>Mean loss and accuracy in inference mode (no dropout, moving batch-norm statistics).</summary>
    public EvaluationResult Evaluate(Dataset data, int batchSize = EvaluationBatchSize)
    {
        CheckFits(data);
        ResetMetrics();
        ReadOnlySpan<int> indices = InOrder(data.Count);
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, data.Count - start);
            StepBuffers buffers = ForwardInference(data, indices.Slice(start, count));
            Accelerator.LossForward(LossKind, buffers.Plan[LossInput].Buffer, buffers.Targets, count,
                Model.Output.SampleSize, buffers.LossPerSample);
            AccumulateMetrics(buffers, count);
            AccumulatePenalties(count);
        }
        ReadMetrics();
        return new EvaluationResult(_hostMetrics[MetricLoss] / data.Count, _hostMetrics[MetricCorrect] / data.Count,
            data.Count);
    }

    /// <summary>The model's output for every sample, [count, outputs] row-major.</summary>
    public float[] Predict(Dataset data, int batchSize = EvaluationBatchSize)
    {
        CheckFits(data);
        int outputs = Model.Output.SampleSize;
        float[] result = new float[data.Count * outputs];
        ReadOnlySpan<int> indices = InOrder(data.Count);
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, data.Count - start);
            StepBuffers buffers = ForwardInference(data, indices.Slice(start, count));
            Accelerator.Download(buffers.Plan[Model.Output].Buffer, result.AsSpan(start * outputs, count * outputs));
        }
        return result;
    }

    public void Dispose()
    {
        foreach (StepBuffers buffers in _stepBuffers.Values) buffers.Dispose();
        _stepBuffers.Clear();
        foreach (Parameter p in Model.Parameters) p.Release();
        Optimizer.Release();
        _metrics.Dispose();
        _stepMetrics?.Dispose();
        _gradientNorms.Dispose();
        _prefetcher?.Dispose();
    }

    /// <summary>Sets the running sums for an epoch: from zero, or from where a checkpoint left it; returns the first
    /// step to train.</summary>
    private int StartEpoch(int epoch, EpochProgress? resumeAt)
    {
        _epoch = epoch;
        if (resumeAt is null)
        {
            ResetMetrics();
            _gradientNorms.Reset();
            (_stepsDone, _samplesSeen, _secondsBefore) = (0, 0, 0);
            return 0;
        }
        (_hostMetrics[MetricLoss], _hostMetrics[MetricCorrect]) = (resumeAt.LossSum, resumeAt.CorrectSum);
        Accelerator.Upload(_hostMetrics, _metrics);
        _gradientNorms.RestoreSums(resumeAt.GradientNormSums, "the checkpoint");
        (_stepsDone, _samplesSeen, _secondsBefore) = (resumeAt.StepsDone, resumeAt.SamplesSeen, resumeAt.Seconds);
        return resumeAt.StepsDone;
    }

    private static void CheckResumePosition(EpochProgress? at, int initialEpoch, int batchSize, int trainingSamples)
    {
        if (at is null) return;
        if (at.Inconsistency(initialEpoch) is { } wrong)
            throw new GpuNetException($"the position to resume from {wrong}");
        if (at.BatchSize != batchSize || at.TrainingSamples != trainingSamples)
            throw new GpuNetException($"the run stopped in the middle of epoch {at.Epoch} with batch size " +
                $"{at.BatchSize} and {at.TrainingSamples:N0} training samples; it resumes only with the same " +
                $"(here batch size {batchSize} and {trainingSamples:N0} samples)");
    }

    /// <summary>
    /// Reads the metrics once for the <paramref name="steps"/> steps since the last read, then
    /// checks and reports each in order: the loss so far, and the first step whose loss is not
    /// finite. <paramref name="seen"/> is the samples seen before the window. A stop requested is
    /// reported with the window's last step, the step the trainer's weights are at.
    /// </summary>
    private void ReportWindow(int epoch, int firstStep, int steps, int seen, int stepsPerEpoch, bool stopping,
        IReadOnlyList<TrainingCallback> callbacks)
    {
        double loss = _hostMetrics[MetricLoss], correct = _hostMetrics[MetricCorrect];
        ReadMetrics();
        if (_stepMetrics is not null)
        {
            Accelerator.Download(_stepMetrics, _hostStepMetrics);
            Accelerator.Fill(0f, _hostStepMetrics.Length, _stepMetrics);
        }
        for (int i = 0; i < steps; i++)
        {
            seen += _windowCounts[i];
            // The last step of the window reports the device's own running sums, as a read every step would.
            bool last = i == steps - 1;
            float stepLoss = _stepMetrics is null ? float.NaN : _hostStepMetrics[2 * i];
            if (!last)
            {
                loss += stepLoss;
                correct += _hostStepMetrics[2 * i + 1];
            }
            float lossSoFar = last ? _hostMetrics[MetricLoss] / seen : (float)(loss / seen);
            float accuracySoFar = last ? _hostMetrics[MetricCorrect] / seen : (float)(correct / seen);
            if (!float.IsFinite(lossSoFar) || (_stepMetrics is not null && !float.IsFinite(stepLoss)))
                throw new TrainingDivergedException(epoch, firstStep + i,
                    float.IsFinite(lossSoFar) ? stepLoss : lossSoFar);
            StoppingAfterThisStep = stopping && last;
            for (int c = 0; c < callbacks.Count; c++)
                callbacks[c].OnBatchEnd(epoch, firstStep + i, stepsPerEpoch, lossSoFar, accuracySoFar);
        }
    }

    /// <param name="window">The step's place in the current read window, for its own metrics.</param>
    private void TrainStep(ReadOnlySpan<float> images, ReadOnlySpan<float> targets, int count, int window)
    {
        int classes = Model.Output.SampleSize;
        _context.Step = Iterations;
        StepBuffers buffers = RunForward(BuffersFor(count, training: true), images, targets, training: true);
        ExecutionPlan plan = buffers.Plan;
        Accelerator.LossForward(LossKind, plan[LossInput].Buffer, buffers.Targets, count, classes,
            buffers.LossPerSample);
        AccumulateMetrics(buffers, count, window);

        plan.ZeroGradients();
        foreach (Parameter p in buffers.ZeroedParameters) Accelerator.Fill(0f, p.Length, p.Gradient.Buffer);
        Accelerator.LossBackward(LossKind, plan[LossInput].Buffer, buffers.Targets, count, classes, 1f / count,
            plan.GradientOf(LossInput)!.Buffer);
        plan.Backward(_context);
        AddPenalties(count, window);
        Iterations++;
        Optimizer.Apply(Accelerator, _trainable, Iterations, _gradientSquares);
    }

    /// <summary>
    /// Evaluation and prediction: the batch is copied out of the dataset here, as it is, and run
    /// forward in inference mode. (Training batches come prepared from the <see cref="BatchPrefetcher"/>.)
    /// </summary>
    private StepBuffers ForwardInference(Dataset data, ReadOnlySpan<int> indices)
    {
        StepBuffers buffers = BuffersFor(indices.Length, training: false);
        float[] images = buffers.HostInputs!, targets = buffers.HostTargets!;
        data.FillImages(indices, images);
        data.FillOneHot(indices, targets);
        return RunForward(buffers, images, targets, training: false);
    }

    private StepBuffers BuffersFor(int count, bool training)
    {
        if (!_stepBuffers.TryGetValue((count, training), out StepBuffers? buffers))
        {
            buffers = new StepBuffers(Model, Accelerator, count, training, LossInput, _trainable);
            _stepBuffers[(count, training)] = buffers;
        }
        return buffers;
    }

    private StepBuffers RunForward(StepBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<float> targets,
        bool training)
    {
        Accelerator.Upload(images, buffers.Plan[Model.Input].Buffer);
        Accelerator.Upload(targets, buffers.Targets);
        _context.Training = training;
        buffers.Plan.Forward(_context);
        return buffers;
    }

    private BatchPrefetcher PrefetcherFor(int batchSize)
    {
        bool beside = Accelerator.PreparesBatchesBesideSteps;
        if (_prefetcher?.BatchSize != batchSize || _prefetcher.Beside != beside)
        {
            _prefetcher?.Dispose();
            _prefetcher = new BatchPrefetcher(batchSize, Model.Input.SampleSize, Model.Output.SampleSize, beside);
        }
        return _prefetcher;
    }

    /// <summary>Weight penalties join the loss (as Keras reports it) and the gradients, before the update.</summary>
    private void AddPenalties(int count, int window)
    {
        foreach (Parameter p in _regularized)
        {
            Regularizer r = p.Regularizer!;
            Accelerator.PenaltyGradient(p.Value.Buffer, p.Length, r.L1, r.L2, p.Gradient.Buffer);
        }
        AccumulatePenalties(count, window);
    }

    // The loss metric sums per-sample losses, so a batch's penalty counts once per sample.
    private void AccumulatePenalties(int count, int window = -1)
    {
        foreach (Parameter p in _regularized)
        {
            Regularizer r = p.Regularizer!;
            Accelerator.AccumulatePenalty(p.Value.Buffer, p.Length, r.L1, r.L2, count, MetricLoss, _metrics);
            if (window >= 0 && _stepMetrics is not null)
                Accelerator.AccumulatePenalty(p.Value.Buffer, p.Length, r.L1, r.L2, count, 2 * window, _stepMetrics);
        }
    }

    private void AccumulateMetrics(StepBuffers buffers, int count, int window = -1)
    {
        DeviceBuffer output = buffers.Plan[Model.Output].Buffer;
        int classes = Model.Output.SampleSize;
        Accelerator.AccumulateSum(buffers.LossPerSample, count, MetricLoss, _metrics);
        Accelerator.AccumulateCorrect(output, buffers.Targets, count, classes, MetricCorrect, _metrics);
        if (window < 0 || _stepMetrics is null) return;
        Accelerator.AccumulateSum(buffers.LossPerSample, count, 2 * window, _stepMetrics);
        Accelerator.AccumulateCorrect(output, buffers.Targets, count, classes, 2 * window + 1, _stepMetrics);
    }

    private void ResetMetrics()
    {
        Accelerator.Fill(0f, 2, _metrics);
        Array.Clear(_hostMetrics);
    }

    private void ReadMetrics() => Accelerator.Download(_metrics, _hostMetrics);

    /// <summary>0, 1, … count − 1, kept between calls: validation runs every epoch and need not rebuild
    /// it.</summary>
    private ReadOnlySpan<int> InOrder(int count)
    {
        if (_inOrder.Length < count) _inOrder = Enumerable.Range(0, count).ToArray();
        return _inOrder.AsSpan(0, count);
    }

    private NamedTensor Download(string name, int[] shape, DeviceBuffer buffer)
    {
        float[] values = new float[Tensors.ShapeOf.ElementCount(shape)];
        Accelerator.Download(buffer, values);
        return new NamedTensor(name, shape, values);
    }

    // The weights file must hold this model's tensors with their shapes; the check lives with the format.
    private static NamedTensor Expect(
        IReadOnlyDictionary<string, NamedTensor> tensors, string name, int[] shape, string source) =>
        WeightLookup.Expect(tensors, name, shape, source);

    private void CheckFits(Dataset data) => CheckFits(Model, data);

    /// <summary>Refuses data whose images do not have the model's input size, or whose classes are not the model's
    /// outputs.</summary>
    public static void CheckFits(ModelGraph model, Dataset data)
    {
        int inputSize = model.Input.SampleSize, outputs = model.Output.SampleSize;
        if (data.Height * data.Width != inputSize)
            throw new GpuNetException($"the model takes {inputSize} values per sample but the data has " +
                $"{data.Height}×{data.Width} = {data.Height * data.Width}; set model.input_shape to match the data");
        if (model.Output.SampleShape.Length != 1 || outputs != data.ClassCount)
            throw new GpuNetException($"the model's output is {Tensors.ShapeOf.Format(model.Output.SampleShape)} but " +
                $"the data has {data.ClassCount} classes; the last layer should be Dense({data.ClassCount})");
    }

    private void InitializeParameters()
    {
        IReadOnlyList<Parameter> parameters = Model.Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            Parameter p = parameters[i];
            p.Allocate(Accelerator);
            float[] values = new float[p.Length];
            p.Initializer.Fill(values, p.Shape, p.Fans.FanIn, p.Fans.FanOut, Seed, RandomStreams.Initializer(i));
            Accelerator.Upload(values, p.Value.Buffer);
        }
    }

    // Keras computes categorical cross-entropy after a softmax from the logits, for stability.
    private static (LossKind, Value) ChooseLossInput(ModelGraph model, Loss loss)
    {
        if (loss.Kind == LossKind.CategoricalCrossEntropy && model.Output.Producer is { Op: SoftmaxOp } softmax)
            return (LossKind.SoftmaxCrossEntropy, softmax.Inputs[0]);
        return (loss.Kind, model.Output);
    }
}
