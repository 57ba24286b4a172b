using System.Runtime.ExceptionServices;
using GpuNet.Accelerators.Cpu.Threads;
using GpuNet.Data;

namespace GpuNet.Training;

/// <summary>
/// Prepares the next training batch — images copied out of the dataset, augmented, labels made
/// one-hot — on a background thread while the current step runs. Two slots take turns: the step
/// reads one while the thread fills the other. Semaphores, not tasks, hand the slots over, so a
/// step allocates nothing. Where the steps take every core of the host
/// (<see cref="Accelerators.IAccelerator.PreparesBatchesBesideSteps"/> false), there is no such thread:
/// the batch asked for is made when it is taken, its rows shared by the caller and the CPU's workers.
/// </summary>
internal sealed class BatchPrefetcher : IDisposable
{
    // A pixel read from a dataset beyond the caches and scaled costs about what a few multiply-adds
    // do, in CpuParallel's units: a batch of MNIST digits is then worth sharing.
    private const long RowCostPerPixel = 8;

    private readonly float[][] _images = new float[2][];
    private readonly float[][] _targets = new float[2][];
    private readonly SemaphoreSlim _work = new(0);
    private readonly SemaphoreSlim[] _ready = [new(0), new(0)];
    private readonly Thread? _thread;
    private readonly int _inputSize, _classes;
    private volatile bool _stopping;
    private ExceptionDispatchInfo? _failure;

    // The job the thread takes next; written before _work is released, read after it is taken.
    private Dataset? _data;
    private int[] _order = [];
    private int _start, _count, _epoch, _slot;
    private Data.Augmentation.Augmentation? _augmentation;
    private ulong _seed;

    /// <param name="beside">Whether a thread of its own makes each batch while the step before it runs.</param>
    public BatchPrefetcher(int batchSize, int inputSize, int classes, bool beside = true)
    {
        _inputSize = inputSize;
        _classes = classes;
        for (int s = 0; s < 2; s++)
        {
            _images[s] = new float[batchSize * inputSize];
            _targets[s] = new float[batchSize * classes];
        }
        BatchSize = batchSize;
        if (!beside) return;
        _thread = new Thread(Run) { IsBackground = true, Name = "gpunet batch preparation" };
        _thread.Start();
    }

    public int BatchSize { get; }

    /// <summary>Whether a thread of its own makes the batches (else the one that takes each).</summary>
    public bool Beside => _thread is not null;

    /// <summary>Starts preparing step <paramref name="step"/> of an epoch whose sample order is <paramref
    /// name="order"/>.</summary>
    public void Prepare(Dataset data, int[] order, int step, int epoch, Data.Augmentation.Augmentation? augmentation,
        ulong seed)
    {
        _data = data;
        _order = order;
        _start = step * BatchSize;
        _count = Math.Min(BatchSize, order.Length - _start);
        _epoch = epoch;
        _slot = step & 1;
        _augmentation = augmentation;
        _seed = seed;
        if (_thread is not null) _work.Release();
    }

    /// <summary>Waits for step <paramref name="step"/>'s batch: its images [count, inputs] and one-hot targets [count,
    /// classes].</summary>
    public (ReadOnlyMemory<float> Images, ReadOnlyMemory<float> Targets) Take(int step, int count)
    {
        if (_thread is null)
        {
            // The step's threads are idle here: they share the batch's rows (each row is its own work).
            CpuParallel.For(_count, (long)_inputSize * RowCostPerPixel, this,
                static (in BatchPrefetcher prefetcher, int first, int end) =>
                    prefetcher.Fill(prefetcher._slot, first, end));
        }
        else
        {
            _ready[step & 1].Wait();
            _failure?.Throw();
        }
        return (_images[step & 1].AsMemory(0, count * _inputSize), _targets[step & 1].AsMemory(0, count * _classes));
    }

    private void Run()
    {
        while (true)
        {
            _work.Wait();
            if (_stopping) return;
            int slot = _slot;
            try
            {
                Fill(slot, 0, _count);
            }
            catch (Exception e)
            {
                // Re-thrown on the training thread by Take, with this thread's stack.
                _failure = ExceptionDispatchInfo.Capture(e);
            }
            _ready[slot].Release();
        }
    }

    /// <summary>Makes rows [first, end) of the batch of the last <see cref="Prepare"/> in
    /// <paramref name="slot"/>.</summary>
    private void Fill(int slot, int first, int end)
    {
        ReadOnlySpan<int> indices = _order.AsSpan(_start + first, end - first);
        Span<float> images = _images[slot].AsSpan(first * _inputSize, (end - first) * _inputSize);
        _data!.FillImages(indices, images);
        _data.FillOneHot(indices, _targets[slot].AsSpan(first * _classes, (end - first) * _classes));
        if (_augmentation is { Mode: Data.Augmentation.AugmentationMode.OnTheFly } augmentation)
            augmentation.TransformBatch(indices, _data.Height, _data.Width, _epoch, _seed, images);
    }

    public void Dispose()
    {
        _stopping = true;
        _work.Release();
        _thread?.Join();
        _work.Dispose();
        foreach (SemaphoreSlim ready in _ready) ready.Dispose();
    }
}
