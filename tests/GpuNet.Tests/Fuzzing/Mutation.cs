using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace GpuNet.Tests.Fuzzing;

/// <summary>
/// One change to a valid file, as a mutation fuzzer makes them: bytes flipped, replaced, inserted,
/// deleted, duplicated or cut off; a 32- or 64-bit field set to a boundary value; and, for text,
/// a token of the format's syntax or a number at a boundary put in. Positions are taken modulo
/// the file's length, so one list of mutations applies to any file.
/// </summary>
public sealed record Mutation(MutationKind Kind, int Position, int Length, int Choice)
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x20, 0x0A, 0x22, 0x2D, 0x3A, 0x5B,
        0x7B];

    private static readonly long[] InterestingIntegers =
        [0, 1, -1, 2, 255, 256, 0x7FFF, 0xFFFF, int.MaxValue, int.MinValue, 0x7FFFFFC7, 1L << 32, long.MaxValue,
            long.MinValue, 1 << 20, 1 << 30];

    private static readonly string[] TextTokens =
    [
        "0", "-1", "1e309", "-1e309", "NaN", ".nan", ".inf", "2147483648", "99999999999999999999", "4294967296", "-0",
            "1.5", "0x1F", "1_000",
        "", " ", "\n", "\t", "  ", ":", ": ", "-", "- ", "[", "]", "{", "}", ",", "\"", "'", "#", "&a ", "*a", "!!str ",
            "!!binary ", "<<: ", "? ",
        "|", ">", "~", "null", "true", "%YAML 1.2\n", "---\n", "...\n", "\\u0000", "\u0000", "\uFFFF", "é",
            "[[[[[[[[[[", "{\"a\":",
        "Dense", "Conv2D", "MaxPooling2D", "Dropout", "BatchNormalization", "Flatten", "Reshape", "units", "filters",
            "kernel_size", "strides",
        "pool_size", "padding", "rate", "input_shape", "layers", "epochs", "batch_size", "optimizer", "loss", "seed",
            "augmentation", "ensemble",
        "callbacks", "checkpoint_every", "steps", "minutes", "training_range", "validation_split", "weights",
            "target_shape",
        "epoch", "iterations", "position", "steps_done", "history", "gradient_norms", "val_loss", "dtype", "shape",
            "data_offsets", "F32",
    ];

    private static readonly string[] RepeatedTokens = ["[", "{", "{a: ", "- ", "? ", "9", "\n", " ", "&a ", "!!str ",
        "[1, ", "a"];

    public static Gen<Mutation> Generator { get; } =
        from kind in Gen.Elements(Enum.GetValues<MutationKind>())
        from position in Gen.Choose(0, int.MaxValue)
        from length in Gen.Frequency((4, Gen.Choose(1, 4)), (2, Gen.Choose(5, 64)), (1, Gen.Choose(65, 4096)))
        from choice in Gen.Choose(0, int.MaxValue)
        select new Mutation(kind, position, length, choice);

    /// <summary>A list of one to eight mutations, shrunk by leaving mutations out, so a failure reduces to the few that
    /// matter.</summary>
    public static Arbitrary<Mutation[]> Lists { get; } = Arb.From(
        // Mostly one mutation, which leaves most of a file valid and so reaches deeper into the reader.
        Gen.Frequency((4, Gen.Constant(1)), (2, Gen.Choose(2, 3)), (1, Gen.Choose(4, 8))).SelectMany(n =>
            Generator.ArrayOf(n)),
        mutations =>
            Enumerable.Range(0, mutations.Length).Where(_ => mutations.Length > 1).Select(i =>
                mutations.Where((_, j) => j != i).ToArray()));

    public static byte[] ApplyAll(byte[] seed, IEnumerable<Mutation> mutations) =>
        mutations.Aggregate(seed, (bytes, m) => m.Apply(bytes));

    public byte[] Apply(byte[] input)
    {
        var bytes = new List<byte>(input);
        int at = bytes.Count == 0 ? 0 : Position % bytes.Count;
        int span = Math.Min(Length, bytes.Count - at);
        switch (Kind)
        {
            case MutationKind.FlipBit when bytes.Count > 0:
                bytes[at] ^= (byte)(1 << (Choice % 8));
                break;
            case MutationKind.SetByte when bytes.Count > 0:
                bytes[at] = Choice % 3 == 0 ? (byte)Choice : InterestingBytes[Choice % InterestingBytes.Length];
                break;
            case MutationKind.InsertBytes:
                bytes.InsertRange(at,
                    Enumerable.Range(0, Math.Min(Length, 16)).Select(i => (byte)(Choice >> (i % 4 * 8))));
                break;
            case MutationKind.DeleteBytes:
                bytes.RemoveRange(at, span);
                break;
            case MutationKind.Truncate:
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            case MutationKind.DuplicateBytes:
                bytes.InsertRange(Choice % (bytes.Count + 1), bytes.GetRange(at, span));
                break;
            case MutationKind.SetInteger when bytes.Count >= 8:
                WriteInteger(bytes, Math.Min(at, bytes.Count - 8),
                    InterestingIntegers[Choice % InterestingIntegers.Length], Choice / 64 % 4);
                break;
            case MutationKind.InsertToken:
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(TextTokens[Choice % TextTokens.Length]));
                break;
            case MutationKind.ReplaceWithToken:
                bytes.RemoveRange(at, Math.Min(span, 1 + Choice % 6));
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(TextTokens[Choice % TextTokens.Length]));
                break;
            case MutationKind.ReplaceNumber:
                ReplaceNumber(bytes, at);
                break;
            case MutationKind.SwapLines:
                SwapLines(bytes, at);
                break;
            case MutationKind.RepeatToken:
                // A long run of one token: deep nesting ("[[[…", "- - - …"), long numbers, huge lines.
                string token = RepeatedTokens[Choice % RepeatedTokens.Length];
                int copies = Choice / RepeatedTokens.Length % 4 == 0 ? 50_000 : Length;
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(token, copies))));
                break;
        }
        return bytes.ToArray();
    }

    public override string ToString() => $"{Kind}(at {Position}, length {Length}, choice {Choice})";

    private static void WriteInteger(List<byte> bytes, int at, long value, int form)
    {
        Span<byte> field = stackalloc byte[8];
        int width = form < 2 ? 4 : 8;
        if (form % 2 == 0)
        {
            if (width == 4) BinaryPrimitives.WriteInt32LittleEndian(field, (int)value);
            else BinaryPrimitives.WriteInt64LittleEndian(field, value);
        }
        else if (width == 4) BinaryPrimitives.WriteInt32BigEndian(field, (int)value);
        else BinaryPrimitives.WriteInt64BigEndian(field, value);
        for (int i = 0; i < width; i++) bytes[at + i] = field[i];
    }

    // The next run of digits from the position becomes a number at a boundary, as text.
    private void ReplaceNumber(List<byte> bytes, int at)
    {
        int start = bytes.FindIndex(at, b => b is >= (byte)'0' and <= (byte)'9');
        if (start < 0) return;
        int end = start;
        while (end < bytes.Count && bytes[end] is >= (byte)'0' and <= (byte)'9' or (byte)'.' or (byte)'e' or (byte)'-')
            end++;
        bytes.RemoveRange(start, end - start);
        string[] numbers = ["0", "-1", "2147483647", "2147483648", "-2147483649", "9223372036854775808", "1e39",
            "1e309", "NaN", "0.0", "1e-45", "3.4028235e38"];
        bytes.InsertRange(start, Encoding.UTF8.GetBytes(numbers[Choice % numbers.Length]));
    }

    private void SwapLines(List<byte> bytes, int at)
    {
        string[] lines = Encoding.UTF8.GetString(bytes.ToArray()).Split('\n');
        if (lines.Length < 2) return;
        int a = at % lines.Length, b = Choice % lines.Length;
        (lines[a], lines[b]) = (lines[b], lines[a]);
        bytes.Clear();
        bytes.AddRange(Encoding.UTF8.GetBytes(string.Join('\n', lines)));
    }
}

public enum MutationKind
{
    FlipBit, SetByte, InsertBytes, DeleteBytes, Truncate, DuplicateBytes, SetInteger, InsertToken, ReplaceWithToken,
    ReplaceNumber, SwapLines, RepeatToken,
}
