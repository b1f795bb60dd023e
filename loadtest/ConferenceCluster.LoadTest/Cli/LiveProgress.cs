using System.Globalization;
using ConferenceCluster.LoadTest.Running;
using Spectre.Console;

namespace ConferenceCluster.LoadTest.Cli;

/// <summary>Shows a run's progress until it ends: a live table on a terminal, or a plain line every few seconds otherwise.</summary>
public static class LiveProgress
{
    private static readonly TimeSpan LiveRefresh = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan PlainRefresh = TimeSpan.FromSeconds(5);

    public static async Task ShowAsync(LoadTestRunner runner, Task run, bool plain, TextWriter output)
    {
        if (plain)
        {
            while (await Task.WhenAny(run, Task.Delay(PlainRefresh)).ConfigureAwait(false) != run) output.WriteLine(Line(runner.Progress()));
            return;
        }
        var table = new Table().AddColumn("elapsed").AddColumn("joined").AddColumn("failed").AddColumn("in conference").AddColumn("late frames").AddColumn("target CPU %");
        await AnsiConsole.Live(table).StartAsync(async context =>
        {
            while (true)
            {
                var p = runner.Progress();
                table.Rows.Clear();
                table.AddRow($"{p.ElapsedSeconds:0} / {p.PlannedSeconds:0} s", $"{p.Joined} / {p.Planned}", p.Failed.ToString(CultureInfo.InvariantCulture),
                    p.InConference.ToString(CultureInfo.InvariantCulture), p.PacerLateFrames.ToString(CultureInfo.InvariantCulture), Cpu(p));
                context.Refresh();
                if (await Task.WhenAny(run, Task.Delay(LiveRefresh)).ConfigureAwait(false) == run) break;
            }
        }).ConfigureAwait(false);
    }

    private static string Line(RunProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"{p.ElapsedSeconds,6:0.0} s  joined {p.Joined}/{p.Planned}  failed {p.Failed}  in conference {p.InConference}  late frames {p.PacerLateFrames}  cpu {Cpu(p)}");

    private static string Cpu(RunProgress p) => p.TargetCpuPercent.Count == 0
        ? "-"
        : string.Join(" ", p.TargetCpuPercent.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key}:{c.Value:0}")));
}
