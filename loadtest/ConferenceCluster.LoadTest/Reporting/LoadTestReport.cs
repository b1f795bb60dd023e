namespace ConferenceCluster.LoadTest.Reporting;

/// <summary>p50/p95/p99/max of a set of measurements in milliseconds (nearest-rank percentiles); all zero when there are none.</summary>
public sealed record Percentiles(int Count, double P50, double P95, double P99, double Max)
{
    public static Percentiles Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return new Percentiles(0, 0, 0, 0, 0);
        return new Percentiles(sorted.Length, Rank(sorted, 0.50), Rank(sorted, 0.95), Rank(sorted, 0.99), sorted[^1]);
    }

    private static double Rank(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>
/// What the mix check found. A participant is checked when at least one of its windows could be judged; it is
/// mix-correct when every judged window was right (each talker that should be heard was, none that should not
/// be was, and never itself).
/// </summary>
public sealed record MixReport(int ParticipantsChecked, int ParticipantsCorrect, int ParticipantsUnchecked, long WindowsJudged, long WindowsCorrect,
    long MissingTalker, long UnexpectedTalker, long HeardItself)
{
    /// <summary>Mix-correct participants over checked participants (1 when none could be checked, with <see cref="ParticipantsChecked"/> saying so).</summary>
    public double CorrectRate => ParticipantsChecked == 0 ? 1 : (double)ParticipantsCorrect / ParticipantsChecked;
}

/// <summary>The joins of one group of participants (the surge's spike): how many, how fast, how long each took.</summary>
/// <param name="JoinsPerSecond">Joins over the time from the group's first INVITE to its last join.</param>
public sealed record JoinPhase(int Attempts, int Joined, double JoinsPerSecond, Percentiles JoinLatencyMs)
{
    public double SuccessRate => Attempts == 0 ? 1 : (double)Joined / Attempts;
}

/// <summary>CPU of one local process during the run, in percent of one core (as top shows it).</summary>
public sealed record ProcessCpu(int Pid, string Name, double MeanPercent, double MaxPercent);

/// <summary>The final report of a run, printed as a table and written as JSON.</summary>
public sealed record LoadTestReport
{
    public required string Profile { get; init; }

    public required int ParticipantsPlanned { get; init; }

    public required int Conferences { get; init; }

    public required double ElapsedSeconds { get; init; }

    public required int JoinAttempts { get; init; }

    /// <summary>Attempts that ended in the conference (2xx, and admitted after the PIN where there was one).</summary>
    public required int Joined { get; init; }

    public required int Failed { get; init; }

    /// <summary>INVITEs still unanswered when the run ended, CANCELled by the load tester: not in the attempts.</summary>
    public int CancelledAtRunEnd { get; init; }

    /// <summary>Joined over attempts (1 when there were none).</summary>
    public double JoinSuccessRate => JoinAttempts == 0 ? 1 : (double)Joined / JoinAttempts;

    /// <summary>Successful joins per second over the join phase (first INVITE to last successful join).</summary>
    public required double JoinsPerSecond { get; init; }

    /// <summary>Surge profile: the spike's own joins (the steady load's are in the totals); null for other profiles.</summary>
    public JoinPhase? Surge { get; init; }

    /// <summary>The most participants in their conferences at once.</summary>
    public required int PeakInConference { get; init; }

    /// <summary>Failed attempts by "status reason", e.g. "503 Capacity Exceeded".</summary>
    public required IReadOnlyDictionary<string, int> FailuresByStatus { get; init; }

    /// <summary>The Retry-After values (seconds) seen on failures, with how often.</summary>
    public required IReadOnlyDictionary<string, int> RetryAfterSeconds { get; init; }

    public required Percentiles JoinLatencyMs { get; init; }

    public required Percentiles TimeToFirstAudioMs { get; init; }

    public required long PacketsReceived { get; init; }

    public required long PacketsLost { get; init; }

    public double PacketLossPercent => PacketsReceived + PacketsLost == 0 ? 0 : 100.0 * PacketsLost / (PacketsReceived + PacketsLost);

    public required Percentiles JitterMs { get; init; }

    public required int MediaGaps { get; init; }

    public required double LongestMediaGapMs { get; init; }

    public required MixReport Mix { get; init; }

    public required int ReInvitesAnswered { get; init; }

    public required int MediaMoves { get; init; }

    /// <summary>Calls that ended before we hung up, by why (RemoteHangUp is the far end's BYE; AckTimeout, ReInviteFailed are SIP failures).</summary>
    public required IReadOnlyDictionary<string, int> EndedEarly { get; init; }

    public required int DtmfDigitsSent { get; init; }

    /// <summary>Frames the load generator's pacer could not send on time: non-zero means this machine, not the cluster, was the limit.</summary>
    public required long PacerLateFrames { get; init; }

    public required IReadOnlyList<ProcessCpu> TargetCpu { get; init; }

    /// <summary>True when the run was cut short (Ctrl-C).</summary>
    public required bool Interrupted { get; init; }
}
