using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ConferenceCluster.Media.Benchmarks;

/// <summary>Adds the capacity columns: participants per core, and that as a ratio to the codec floor (a) of the same N.</summary>
public sealed class MediaBenchmarkConfig : ManualConfig
{
    public MediaBenchmarkConfig()
    {
        AddColumn(new ParticipantsPerCoreColumn(relativeToCodecFloor: false));
        AddColumn(new ParticipantsPerCoreColumn(relativeToCodecFloor: true));
    }
}

/// <summary>
/// N × 20 ms ÷ mean time of one tick: how many participants one core could serve in real time at this cost,
/// or that figure divided by the same N's codec-floor figure (the baseline method).
/// </summary>
internal sealed class ParticipantsPerCoreColumn(bool relativeToCodecFloor) : IColumn
{
    private const double TickNanoseconds = AudioFormat.FrameMilliseconds * 1_000_000.0;

    public string Id => relativeToCodecFloor ? "ParticipantsPerCoreVsCodecFloor" : "ParticipantsPerCore";

    public string ColumnName => relativeToCodecFloor ? "Participants/core vs (a)" : "Participants/core";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => relativeToCodecFloor ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => relativeToCodecFloor
        ? "Participants/core divided by that of A_CodecFloor (libopus alone) for the same N"
        : "N x 20 ms / mean tick time: participants one core could serve in real time";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        double? perCore = ParticipantsPerCore(summary, benchmarkCase);
        if (perCore is null)
        {
            return "NA";
        }

        if (!relativeToCodecFloor)
        {
            return perCore.Value.ToString("N0", CultureInfo.InvariantCulture);
        }

        BenchmarkCase? floor = summary.BenchmarksCases.FirstOrDefault(candidate =>
            candidate.Descriptor.Baseline && candidate.Parameters.DisplayInfo == benchmarkCase.Parameters.DisplayInfo);
        double? floorPerCore = floor is null ? null : ParticipantsPerCore(summary, floor);
        return floorPerCore is null ? "NA" : (perCore.Value / floorPerCore.Value).ToString("0.00", CultureInfo.InvariantCulture) + "x";
    }

    private static double? ParticipantsPerCore(Summary summary, BenchmarkCase benchmarkCase)
    {
        double? meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (meanNanoseconds is null or <= 0)
        {
            return null;
        }

        int participants = (int)benchmarkCase.Parameters[nameof(MediaTickBenchmarks.Participants)];
        return participants * TickNanoseconds / meanNanoseconds.Value;
    }
}
