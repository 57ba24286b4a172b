using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;

namespace GpuNet.Tests.Fuzzing;

/// <summary>
/// Runs a reader of user files on mutated copies of valid files, as a property checked by FsCheck:
/// every outcome must be a result or a <see cref="GpuNetException"/> with a message — never another
/// exception, a crash or a hang. A failure is shrunk to the fewest mutations that still fail and
/// reported with the seed file, the mutations and the exception.
/// </summary>
public static class ReaderFuzzer
{
    /// <summary>What a run of the fuzzer saw.</summary>
    public sealed record Outcome(string Reader, int Cases, int Accepted, int Refused, TimeSpan Elapsed)
    {
        public override string ToString() =>
            $"{Reader}: {Cases:N0} mutated files in " +
                $"{Elapsed.TotalSeconds:0.00} s — {Accepted:N0} read, {Refused:N0} refused with a GpuNetException";
    }

    /// <param name="seeds">Valid files the mutations start from.</param>
    /// <param name="read">The reader; it may return or throw a GpuNetException.</param>
    /// <param name="randomSeed">FsCheck's seed: the same cases every run, so a failure in CI repeats.</param>
    public static async Task<Outcome> Run(string reader, IReadOnlyList<byte[]> seeds, Action<byte[]> read, int cases,
        ulong randomSeed)
    {
        int accepted = 0, refused = 0;
        var property = Prop.ForAll(Gen.Choose(0, seeds.Count - 1).ToArbitrary(), Mutation.Lists, (seed, mutations) =>
        {
            byte[] input = Mutation.ApplyAll(seeds[seed], mutations);
            try
            {
                read(input);
                accepted++;
            }
            catch (GpuNetException e) when (!string.IsNullOrWhiteSpace(e.Message))
            {
                refused++;
            }
        });
        var config = FsCheck.Config.QuickThrowOnFailure.WithMaxTest(cases)
            .WithReplay(new Replay(new Rnd(randomSeed, 0x9E3779B97F4A7C15UL), null));
        var clock = Stopwatch.StartNew();
        // A reader that hangs fails the test instead of stalling the suite.
        await Task.Run(() => property.Check(config)).WaitAsync(TimeSpan.FromMinutes(2));
        return new Outcome(reader, cases, accepted, refused, clock.Elapsed);
    }
}
