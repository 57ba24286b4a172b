using GpuNet.Data;
using GpuNet.Tests.Data;

namespace GpuNet.Tests.Training;

/// <summary>Fixed MNIST subsets for end-to-end tests, read once per test run.</summary>
public static class MnistSubset
{
    private static readonly Lazy<(Dataset Train, Dataset Test)> Full = new(() =>
        DatasetLoader.Load("mnist", TestData.MnistDirectory, TextWriter.Null));

    public static Dataset Train(int count) => Full.Value.Train.Slice(0, count);

    public static Dataset Test(int count) => Full.Value.Test.Slice(0, count);
}
