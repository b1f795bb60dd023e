using ConferenceCluster.LoadTest.Audio;

namespace ConferenceCluster.LoadTest.Participants;

/// <summary>One INVITE a participant sent and how it ended.</summary>
/// <param name="StartedMs">When the INVITE left (run clock).</param>
/// <param name="LatencyMs">INVITE to final response.</param>
/// <param name="StatusCode">The final status (408/503 made up by our stack when nothing answered or the hop was unreachable).</param>
/// <param name="Admitted">For a PIN-protected room: whether the PIN entry ended in the conference (re-INVITE to the media node).</param>
/// <param name="CancelledAtRunEnd">
/// The run ended while this INVITE was still unanswered and the load tester CANCELled it (487): neither a join nor a
/// failure of the cluster, so the report counts it apart.
/// </param>
public sealed record JoinAttempt(double StartedMs, double LatencyMs, int StatusCode, string Reason, TimeSpan? RetryAfter, bool Admitted,
    bool CancelledAtRunEnd = false);

/// <summary>A stretch during which the participant was in its conference with media flowing both ways.</summary>
public sealed class MediaSession
{
    public required double StartMs { get; init; }

    /// <summary>When it stopped sending (it hung up, or the far end did); null while still in.</summary>
    public double? EndMs { get; set; }

    /// <summary>INVITE sent to the first RTP packet received from the conference's media.</summary>
    public double? TimeToFirstAudioMs { get; set; }
}

/// <summary>A tone window and when its last sample arrived (run clock).</summary>
public readonly record struct HeardWindow(double EndMs, ToneWindow Tones);

/// <summary>What the receive side counted over the participant's whole run.</summary>
public sealed class ReceiveTotals
{
    public long PacketsReceived { get; set; }

    public long PacketsLost { get; set; }

    /// <summary>Interarrival jitter (RFC 3550 A.8) of each source when it ended, in ms.</summary>
    public List<double> JitterMs { get; } = [];

    /// <summary>Silences of more than <see cref="SimulatedParticipant.MediaGapThresholdMs"/> between two packets while in the conference.</summary>
    public int MediaGaps { get; set; }

    public double LongestGapMs { get; set; }
}
