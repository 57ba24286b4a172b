using GpuNet.Diagnostics;
using GpuNet.Parameters;
using GpuNet.Optimizers;
using GpuNet.Tests.Accelerators;
using GpuNet.Tests.Numerics;

namespace GpuNet.Tests.Optimizers;

/// <summary>
/// The first three updates of every optimizer on f(w) = ½·Σ(w − c)², against Keras 2's update
/// rules written out by hand in double precision.
/// </summary>
public sealed class OptimizerReferenceTests
{
    private static readonly double[] Start = [0.5, -1.5, 2.0];
    private static readonly double[] Target = [1.0, 0.25, -3.0];

    /// <summary>A hand-written optimizer: state in, gradient in, new weights out.</summary>
    private delegate double[] ReferenceStep(double[] w, double[] g, int t);

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string accelerator in AcceleratorCatalog.Names)
            foreach (string name in new[] { "SGD", "SGD-decay", "SGD-momentum", "SGD-nesterov", "Adagrad", "Adadelta",
                "RMSprop", "Adam", "Adam-decay", "Adamax", "Nadam" })
                data.Add(accelerator, name);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void First_three_updates_match_keras_formula(string acceleratorName, string name)
    {
        var (optimizer, reference) = Create(name);
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        var parameter = new Parameter("w", [3], Initializer.Zeros);
        parameter.Allocate(accelerator);
        optimizer.Build(accelerator, [parameter]);
        accelerator.Upload(Start.Select(v => (float)v).ToArray(), parameter.Value.Buffer);

        double[] expected = (double[])Start.Clone();
        float[] actual = Start.Select(v => (float)v).ToArray();
        for (int t = 1; t <= 3; t++)
        {
            float[] gradient = actual.Select((w, i) => (float)(w - Target[i])).ToArray();
            accelerator.Upload(gradient, parameter.Gradient.Buffer);
            optimizer.Apply(accelerator, [parameter], t);
            accelerator.Download(parameter.Value.Buffer, actual);
            expected = reference(expected, expected.Select((w, i) => w - Target[i]).ToArray(), t);
            new Tolerance(1e-6, 1e-6).AssertClose(actual, expected.Select(v => (float)v).ToArray(), $"{name} step {t}");
        }
        // The test is only worth something if the weights moved.
        Assert.NotEqual(Start[0], actual[0], 3);
    }

    private static (Optimizer, ReferenceStep) Create(string name)
    {
        switch (name)
        {
            case "SGD":
                return (new Sgd(0.1f), (w, g, t) => Map(w, g, (wi, gi, _) => wi - 0.1 * gi));
            case "SGD-decay":
                // Keras: lr_t = lr / (1 + decay·iterations), iterations counted before the update.
                return (new Sgd(0.1f, decay: 0.5f),
                    (w, g, t) => Map(w, g, (wi, gi, _) => wi - 0.1 / (1 + 0.5 * (t - 1)) * gi));
            case "SGD-momentum":
            {
                double[] v = new double[3];
                return (new Sgd(0.1f, momentum: 0.4f), (w, g, t) => Map(w, g, (wi, gi, i) =>
                {
                    v[i] = 0.4 * v[i] - 0.1 * gi;
                    return wi + v[i];
                }));
            }
            case "SGD-nesterov":
            {
                double[] v = new double[3];
                return (new Sgd(0.1f, momentum: 0.9f, nesterov: true), (w, g, t) => Map(w, g, (wi, gi, i) =>
                {
                    v[i] = 0.9 * v[i] - 0.1 * gi;
                    return wi + 0.9 * v[i] - 0.1 * gi;
                }));
            }
            case "Adagrad":
            {
                double[] a = new double[3];
                return (new Adagrad(0.1f), (w, g, t) => Map(w, g, (wi, gi, i) =>
                {
                    a[i] += gi * gi;
                    return wi - 0.1 * gi / (Math.Sqrt(a[i]) + 1e-7);
                }));
            }
            case "Adadelta":
            {
                double[] a = new double[3], d = new double[3];
                return (new Adadelta(1.0f, 0.95f), (w, g, t) => Map(w, g, (wi, gi, i) =>
                {
                    a[i] = 0.95 * a[i] + 0.05 * gi * gi;
                    double update = gi * Math.Sqrt(d[i] + 1e-7) / Math.Sqrt(a[i] + 1e-7);
                    d[i] = 0.95 * d[i] + 0.05 * update * update;
                    return wi - update;
                }));
            }
            case "RMSprop":
            {
                double[] a = new double[3];
                return (new Rmsprop(0.01f), (w, g, t) => Map(w, g, (wi, gi, i) =>
                {
                    a[i] = 0.9 * a[i] + 0.1 * gi * gi;
                    return wi - 0.01 * gi / (Math.Sqrt(a[i]) + 1e-7);
                }));
            }
            case "Adam":
            case "Adam-decay":
            {
                double[] m = new double[3], v = new double[3];
                double decay = name == "Adam-decay" ? 0.1 : 0;
                return (new Adam(0.01f, decay: (float)decay), (w, g, t) => Map(w, g, (wi, gi, i) =>
                {
                    double lr = 0.01 / (1 + decay * (t - 1));
                    double lrT = lr * Math.Sqrt(1 - Math.Pow(0.999, t)) / (1 - Math.Pow(0.9, t));
                    m[i] = 0.9 * m[i] + 0.1 * gi;
                    v[i] = 0.999 * v[i] + 0.001 * gi * gi;
                    return wi - lrT * m[i] / (Math.Sqrt(v[i]) + 1e-7);
                }));
            }
            case "Adamax":
            {
                double[] m = new double[3], u = new double[3];
                return (new Adamax(0.02f), (w, g, t) => Map(w, g, (wi, gi, i) =>
                {
                    double lrT = 0.02 / (1 - Math.Pow(0.9, t));
                    m[i] = 0.9 * m[i] + 0.1 * gi;
                    u[i] = Math.Max(0.999 * u[i], Math.Abs(gi));
                    return wi - lrT * m[i] / (u[i] + 1e-7);
                }));
            }
            case "Nadam":
            {
                double[] m = new double[3], v = new double[3];
                double schedule = 1;
                double Momentum(int step) => 0.9 * (1 - 0.5 * Math.Pow(0.96, step * 0.004));
                return (new Nadam(0.02f), (w, g, t) =>
                {
                    double mu = Momentum(t), muNext = Momentum(t + 1);
                    schedule *= mu;
                    double scheduleNext = schedule * muNext;
                    return Map(w, g, (wi, gi, i) =>
                    {
                        double gPrime = gi / (1 - schedule);
                        m[i] = 0.9 * m[i] + 0.1 * gi;
                        double mPrime = m[i] / (1 - scheduleNext);
                        v[i] = 0.999 * v[i] + 0.001 * gi * gi;
                        double vPrime = v[i] / (1 - Math.Pow(0.999, t));
                        double mBar = (1 - mu) * gPrime + muNext * mPrime;
                        return wi - 0.02 * mBar / (Math.Sqrt(vPrime) + 1e-7);
                    });
                });
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(name));
        }
    }

    private static double[] Map(double[] w, double[] g, Func<double, double, int, double> update) =>
        w.Select((wi, i) => update(wi, g[i], i)).ToArray();
}
