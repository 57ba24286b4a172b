using CommandLine;
using GpuNet;
using GpuNet.Cli;
using GpuNet.Cli.Commands;

// User errors (a bad config, a missing file) print one paragraph and exit 2; a run stopped by
// SIGINT or SIGTERM says how to resume and exits 130 or 143; anything else is a bug and keeps its
// stack trace.
var parser = new Parser(settings =>
{
    settings.HelpWriter = Console.Error;
    settings.CaseInsensitiveEnumValues = true;
});
try
{
    return parser.ParseArguments<TrainOptions, EvaluateOptions, PredictOptions, SummaryOptions, BenchOptions,
        ReportOptions, ReproduceOptions, DataOptions, ExportOptions, ImportKerasOptions, DoctorOptions>(args).MapResult(
        (TrainOptions o) => TrainCommand.Run(o),
        (EvaluateOptions o) => EvaluateCommand.Run(o),
        (PredictOptions o) => PredictCommand.Run(o),
        (SummaryOptions o) => SummaryCommand.Run(o),
        (BenchOptions o) => BenchCommand.Run(o),
        (ReportOptions o) => ReportCommand.Run(o),
        (ReproduceOptions o) => ReproduceCommand.Run(o),
        (DataOptions o) => DataCommand.Run(o),
        (ExportOptions o) => ExportCommand.Run(o),
        (ImportKerasOptions o) => ImportKerasCommand.Run(o),
        (DoctorOptions o) => DoctorCommand.Run(o),
        errors =>
            errors.All(e =>
                e.Tag is ErrorType.HelpRequestedError or ErrorType.HelpVerbRequestedError
                    or ErrorType.VersionRequestedError) ? 0 : 2);
}
catch (RunInterruptedException e)
{
    Console.WriteLine(e.Message);
    return e.ExitCode;
}
catch (GpuNetException e)
{
    Console.Out.Flush();
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
