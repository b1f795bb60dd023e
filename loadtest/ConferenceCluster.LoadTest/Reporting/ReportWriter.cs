using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace ConferenceCluster.LoadTest.Reporting;

/// <summary>The final report as a table for people and as JSON for scripts and docs/benchmarks.md.</summary>
public static class ReportWriter
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
    };

    public static string ToJson(LoadTestReport report) => JsonSerializer.Serialize(report, Json);

    public static async Task WriteJsonAsync(LoadTestReport report, string path)
    {
        await using var stream = File.Create(path);
        await JsonSerializer.SerializeAsync(stream, report, Json).ConfigureAwait(false);
    }

    public static void WriteTable(LoadTestReport report, TextWriter output)
    {
        var console = ConsoleOn(output);
        var table = new Table().Title($"Load test: {report.Profile}, {report.ParticipantsPlanned} participants in {report.Conferences} conferences, {report.ElapsedSeconds:0.0} s{(report.Interrupted ? " (interrupted)" : "")}")
            .AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("joined / attempts", $"{report.Joined} / {report.JoinAttempts} ({report.JoinSuccessRate:P2})");
        if (report.CancelledAtRunEnd > 0) Row("INVITEs cancelled as the run ended", report.CancelledAtRunEnd.ToString(CultureInfo.InvariantCulture));
        Row("joins per second", F(report.JoinsPerSecond));
        if (report.Surge is { } surge)
        {
            Row("surge: joined / attempts", $"{surge.Joined} / {surge.Attempts} ({surge.SuccessRate:P2})");
            Row("surge: joins per second", F(surge.JoinsPerSecond));
            Row("surge: join latency ms p50/p95/p99/max", P(surge.JoinLatencyMs));
        }
        Row("peak in conference", report.PeakInConference.ToString(CultureInfo.InvariantCulture));
        foreach (var (status, count) in report.FailuresByStatus) Row($"failed: {status}", count.ToString(CultureInfo.InvariantCulture));
        foreach (var (seconds, count) in report.RetryAfterSeconds) Row($"Retry-After {seconds} s", count.ToString(CultureInfo.InvariantCulture));
        Row("join latency ms p50/p95/p99/max", P(report.JoinLatencyMs));
        Row("time to first audio ms p50/p95/p99/max", P(report.TimeToFirstAudioMs));
        Row("packets received / lost", $"{report.PacketsReceived} / {report.PacketsLost} ({report.PacketLossPercent.ToString("0.###", CultureInfo.InvariantCulture)} %)");
        Row("jitter ms p50/p95/p99/max", P(report.JitterMs));
        Row("media gaps (> 100 ms) / longest ms", $"{report.MediaGaps} / {F(report.LongestMediaGapMs)}");
        var mix = report.Mix;
        Row("mix-correct participants", $"{mix.ParticipantsCorrect} / {mix.ParticipantsChecked} ({mix.CorrectRate:P2}), {mix.ParticipantsUnchecked} unchecked");
        Row("mix windows correct / judged", $"{mix.WindowsCorrect} / {mix.WindowsJudged}");
        Row("mix errors: missing / unexpected / heard itself", $"{mix.MissingTalker} / {mix.UnexpectedTalker} / {mix.HeardItself}");
        Row("re-INVITEs answered / media moves", $"{report.ReInvitesAnswered} / {report.MediaMoves}");
        Row("calls ended before we hung up", report.EndedEarly.Count == 0 ? "0" : string.Join(", ", report.EndedEarly.Select(e => $"{e.Key} {e.Value}")));
        Row("DTMF digits sent", report.DtmfDigitsSent.ToString(CultureInfo.InvariantCulture));
        Row("late frames of this load generator", report.PacerLateFrames.ToString(CultureInfo.InvariantCulture));
        foreach (var cpu in report.TargetCpu) Row($"CPU {cpu.Name} ({cpu.Pid}) mean/max %", $"{F(cpu.MeanPercent)} / {F(cpu.MaxPercent)}");
        console.Write(table);
    }

    internal static IAnsiConsole ConsoleOn(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected
        ? AnsiConsole.Console
        : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string P(Percentiles p) => p.Count == 0 ? "-" : $"{F(p.P50)} / {F(p.P95)} / {F(p.P99)} / {F(p.Max)}";
}
