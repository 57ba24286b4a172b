using GpuNet.Config;
using GpuNet.Training;

namespace GpuNet.Tests.Config;

/// <summary>The config's checkpoint_every: {steps: N} or {minutes: M}, and when each is due.</summary>
public sealed class CheckpointEveryConfigTests
{
    private const string Model = "model:\n  layers: [Flatten, Dense: {units: 10}]\nloss: mse\noptimizer: SGD\n";

    [Fact]
    public void Steps_or_minutes_are_read()
    {
        Assert.Null(RunConfigReader.Read("c.yaml", Model).CheckpointEvery);
        Assert.Equal(250,
            RunConfigReader.Read("c.yaml", Model + "checkpoint_every: {steps: 250}").CheckpointEvery!.Steps);
        Assert.Equal(0.5,
            RunConfigReader.Read("c.yaml", Model + "checkpoint_every: {minutes: 0.5}").CheckpointEvery!.Minutes);
    }

    [Theory]
    [InlineData("{steps: 0}", "c.yaml:5:27: checkpoint_every.steps: expected a positive integer, got 0")]
    [InlineData("{minutes: -1}",
        "c.yaml:5:29: checkpoint_every.minutes: expected a positive number of minutes, got -1")]
    [InlineData("{steps: 10, minutes: 5}",
        "c.yaml:5:19: checkpoint_every: expected {steps: N} or {minutes: M}, one of the two")]
    [InlineData("{}", "c.yaml:5:19: checkpoint_every: expected {steps: N} or {minutes: M}, one of the two")]
    [InlineData("{epochs: 2}",
        "c.yaml:5:28: checkpoint_every.epochs: unknown argument 'epochs' for checkpoint_every; valid arguments are " +
            "steps, minutes")]
    [InlineData("100", "c.yaml:5:19: checkpoint_every: expected a mapping of keys to values, got '100'")]
    public void A_bad_schedule_is_refused_at_its_place(string value, string expected)
    {
        var error = Assert.Throws<ConfigException>(() =>
            RunConfigReader.Read("c.yaml", Model + $"checkpoint_every: {value}"));
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void A_schedule_is_due_on_its_beat()
    {
        CheckpointSchedule steps = CheckpointSchedule.EverySteps(100);
        Assert.True(steps.IsDue(300, TimeSpan.Zero));
        Assert.False(steps.IsDue(301, TimeSpan.FromHours(1)));
        CheckpointSchedule minutes = CheckpointSchedule.EveryMinutes(10);
        Assert.False(minutes.IsDue(5, TimeSpan.FromMinutes(9.9)));
        Assert.True(minutes.IsDue(7, TimeSpan.FromMinutes(10)));
    }
}
