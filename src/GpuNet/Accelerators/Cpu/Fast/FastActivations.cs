using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using GpuNet.Accelerators.Cpu.Reference;

namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// The activations, their derivatives, the bias broadcast and elementwise addition as the CPU
/// accelerator runs them: SIMD over whole vectors, the remainder handed to the reference
/// <see cref="ReferenceActivations"/>. Every kernel but sigmoid and tanh forward does the reference's
/// arithmetic in the reference's order, so it agrees bit for bit; those two use
/// <see cref="TensorPrimitives"/>'s vectorised exp and tanh, a few ulps from MathF's.
/// </summary>
internal static class FastActivations
{
    public static void Forward(ActivationKind kind, float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        CheckHolds(y.Length, x.Length);
        switch (kind)
        {
            case ActivationKind.Linear: x.CopyTo(y); break;
            case ActivationKind.Sigmoid: Sigmoid(x, y); break;
            case ActivationKind.Tanh: TensorPrimitives.Tanh(x, y); break;
            case ActivationKind.Relu: Relu(x, y); break;
            case ActivationKind.LeakyRelu: LeakyRelu(x, alpha, y); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>dx += the activation's gradient; with <paramref name="set"/>, dx = 0 + it, the bits of adding to
    /// zeros, without reading dx.</summary>
    public static void Backward(ActivationKind kind, float alpha, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dy, Span<float> dx, bool set = false)
    {
        CheckHolds(dx.Length, dy.Length);
        if (kind is ActivationKind.Relu or ActivationKind.LeakyRelu) CheckHolds(x.Length, dy.Length);
        if (kind is ActivationKind.Sigmoid or ActivationKind.Tanh) CheckHolds(y.Length, dy.Length);
        switch (kind)
        {
            case ActivationKind.Linear when set: TensorPrimitives.Add(dy, 0f, dx); break;
            case ActivationKind.Linear: TensorPrimitives.Add(dx, dy, dx); break;
            case ActivationKind.Sigmoid: SigmoidBackward(y, dy, dx, set); break;
            case ActivationKind.Tanh: TanhBackward(y, dy, dx, set); break;
            case ActivationKind.Relu: ReluBackward(x, dy, dx, set); break;
            case ActivationKind.LeakyRelu: LeakyReluBackward(x, alpha, dy, dx, set); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    // AddBias and BiasGradient run their own loops rather than TensorPrimitives.Add once a row, whose call per row
    // cost as much as the row's additions: built as the CLI builds, on Zen 3, AddBias over [120, 512] took 11 µs
    // that way and 5 µs this, and both took about 5.3 µs that way and 2.6 µs this over [100, 256].

    /// <summary>x[r, c] += bias[c] for x [rows, cols]; row by row, so exact.</summary>
    public static void AddBias(ReadOnlySpan<float> bias, int rows, int cols, Span<float> x)
    {
        CheckHolds(bias.Length, cols);
        CheckHolds(x.Length, rows * cols);
        for (int r = 0; r < rows; r++)
            AddTo(ref Unsafe.Add(ref MemoryMarshal.GetReference(x), (nint)r * cols),
                ref MemoryMarshal.GetReference(bias), cols);
    }

    /// <summary>dBias[c] += Σ_r dy[r, c], adding the rows in order as the reference does.</summary>
    public static void BiasGradient(ReadOnlySpan<float> dy, int rows, int cols, Span<float> dBias)
    {
        CheckHolds(dBias.Length, cols);
        CheckHolds(dy.Length, rows * cols);
        for (int r = 0; r < rows; r++)
            AddTo(ref MemoryMarshal.GetReference(dBias),
                ref Unsafe.Add(ref MemoryMarshal.GetReference(dy), (nint)r * cols), cols);
    }

    /// <summary>target[c] = target[c] + source[c] for c in [0, count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo(ref float target, ref float source, int count)
    {
        int c = 0;
        for (; c <= count - Vector<float>.Count; c += Vector<float>.Count)
            (Vector.LoadUnsafe(ref target, (nuint)c) + Vector.LoadUnsafe(ref source, (nuint)c)).StoreUnsafe(
                ref target, (nuint)c);
        for (; c < count; c++) Unsafe.Add(ref target, c) += Unsafe.Add(ref source, c);
    }

    /// <summary>y = 1 / (1 + e^−x) through <see cref="VectorExp"/>, within a few ulps of the reference (whose
    /// 1 − ε and ε ends it meets to within the tolerance of the tests); TensorPrimitives' where AVX2 is
    /// missing.</summary>
    private static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        if (!VectorExp.IsSupported)
        {
            TensorPrimitives.Sigmoid(x, y);
            return;
        }
        ref float xs = ref MemoryMarshal.GetReference(x), ys = ref MemoryMarshal.GetReference(y);
        int i = 0;
        for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            Vector256<float> e = VectorExp.Exp(-Vector256.LoadUnsafe(ref xs, (nuint)i));
            (Vector256<float>.One / (Vector256<float>.One + e)).StoreUnsafe(ref ys, (nuint)i);
        }
        ReferenceActivations.Forward(ActivationKind.Sigmoid, 0f, x[i..], y[i..]);
    }

    // The select keeps the reference's 'x > 0 ? x : 0' exactly: NaN and −0 give +0, which Max would not.
    private static void Relu(ReadOnlySpan<float> x, Span<float> y)
    {
        ref float xs = ref MemoryMarshal.GetReference(x), ys = ref MemoryMarshal.GetReference(y);
        int i = 0;
        for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var v = Vector.LoadUnsafe(ref xs, (nuint)i);
            Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), v,
                Vector<float>.Zero).StoreUnsafe(ref ys, (nuint)i);
        }
        ReferenceActivations.Forward(ActivationKind.Relu, 0f, x[i..], y[i..]);
    }

    private static void LeakyRelu(ReadOnlySpan<float> x, float alpha, Span<float> y)
    {
        ref float xs = ref MemoryMarshal.GetReference(x), ys = ref MemoryMarshal.GetReference(y);
        var slope = new Vector<float>(alpha);
        int i = 0;
        for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var v = Vector.LoadUnsafe(ref xs, (nuint)i);
            Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), v, slope * v).StoreUnsafe(ref ys,
                (nuint)i);
        }
        ReferenceActivations.Forward(ActivationKind.LeakyRelu, alpha, x[i..], y[i..]);
    }

    private static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, bool set)
    {
        ref float ys = ref MemoryMarshal.GetReference(y), dys = ref MemoryMarshal.GetReference(dy),
            dxs = ref MemoryMarshal.GetReference(dx);
        int i = 0;
        for (; i <= dy.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var yv = Vector.LoadUnsafe(ref ys, (nuint)i);
            var sum = Before(ref dxs, i, set) + Vector.LoadUnsafe(ref dys, (nuint)i) * yv * (Vector<float>.One - yv);
            sum.StoreUnsafe(ref dxs, (nuint)i);
        }
        if (set) dx[i..dy.Length].Clear();
        ReferenceActivations.Backward(ActivationKind.Sigmoid, 0f, default, y[i..], dy[i..], dx[i..]);
    }

    private static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, bool set)
    {
        ref float ys = ref MemoryMarshal.GetReference(y), dys = ref MemoryMarshal.GetReference(dy),
            dxs = ref MemoryMarshal.GetReference(dx);
        int i = 0;
        for (; i <= dy.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var yv = Vector.LoadUnsafe(ref ys, (nuint)i);
            var sum = Before(ref dxs, i, set) + Vector.LoadUnsafe(ref dys, (nuint)i) * (Vector<float>.One - yv * yv);
            sum.StoreUnsafe(ref dxs, (nuint)i);
        }
        if (set) dx[i..dy.Length].Clear();
        ReferenceActivations.Backward(ActivationKind.Tanh, 0f, default, y[i..], dy[i..], dx[i..]);
    }

    private static void ReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, bool set)
    {
        ref float xs = ref MemoryMarshal.GetReference(x), dys = ref MemoryMarshal.GetReference(dy),
            dxs = ref MemoryMarshal.GetReference(dx);
        int i = 0;
        for (; i <= dy.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var passed = Vector.ConditionalSelect(Vector.GreaterThan(Vector.LoadUnsafe(ref xs, (nuint)i),
                Vector<float>.Zero), Vector.LoadUnsafe(ref dys, (nuint)i), Vector<float>.Zero);
            (Before(ref dxs, i, set) + passed).StoreUnsafe(ref dxs, (nuint)i);
        }
        if (set) dx[i..dy.Length].Clear();
        ReferenceActivations.Backward(ActivationKind.Relu, 0f, x[i..], default, dy[i..], dx[i..]);
    }

    private static void LeakyReluBackward(ReadOnlySpan<float> x, float alpha, ReadOnlySpan<float> dy, Span<float> dx,
        bool set)
    {
        ref float xs = ref MemoryMarshal.GetReference(x), dys = ref MemoryMarshal.GetReference(dy),
            dxs = ref MemoryMarshal.GetReference(dx);
        var slope = new Vector<float>(alpha);
        int i = 0;
        for (; i <= dy.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var g = Vector.LoadUnsafe(ref dys, (nuint)i);
            var passed = Vector.ConditionalSelect(Vector.GreaterThan(Vector.LoadUnsafe(ref xs, (nuint)i),
                Vector<float>.Zero), g, slope * g);
            (Before(ref dxs, i, set) + passed).StoreUnsafe(ref dxs, (nuint)i);
        }
        if (set) dx[i..dy.Length].Clear();
        ReferenceActivations.Backward(ActivationKind.LeakyRelu, alpha, x[i..], default, dy[i..], dx[i..]);
    }

    /// <summary>What a backward adds its gradient to: dx's values, or zeros where it sets dx.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Before(ref float dx, int i, bool set) =>
        set ? Vector<float>.Zero : Vector.LoadUnsafe(ref dx, (nuint)i);

    // The loops read through unchecked references, so the lengths are checked once here.
    private static void CheckHolds(int length, int needed)
    {
        if (length < needed)
            throw new ArgumentException($"A buffer holds {length} elements; the kernel needs {needed}.");
    }
}
