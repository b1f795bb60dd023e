namespace ConferenceCluster.Media.Workers;

/// <summary>A participant's media counters for status pages. Each field is read atomically; the set is not one instant.</summary>
public readonly record struct MediaParticipantStatistics
{
    public long PacketsReceived { get; init; }

    /// <summary>Cumulative packets lost on the way in (RFC 3550 A.3).</summary>
    public long PacketsLost { get; init; }

    /// <summary>Interarrival jitter of the incoming stream (RFC 3550 A.8).</summary>
    public double JitterMs { get; init; }

    public long LatePackets { get; init; }

    public long DuplicatePackets { get; init; }

    /// <summary>Frames rebuilt from Opus FEC.</summary>
    public long FecRecoveredFrames { get; init; }

    /// <summary>Frames concealed (PLC, G.711 fade or silence).</summary>
    public long ConcealedFrames { get; init; }

    /// <summary>The jitter buffer's current target delay.</summary>
    public int JitterBufferDelayMs { get; init; }

    public long PacketsSent { get; init; }

    public long PayloadBytesSent { get; init; }

    public long DtmfDigits { get; init; }

    /// <summary>What the remote last reported about our stream (RTCP): fraction lost 0–1.</summary>
    public double RemoteFractionLost { get; init; }

    /// <summary>What the remote last reported about our stream (RTCP): jitter in ms.</summary>
    public double RemoteJitterMs { get; init; }

    /// <summary>Round-trip time from the last RTCP report that echoed our SR; null until one has.</summary>
    public double? RoundTripMs { get; init; }

    public long RtcpPacketsReceived { get; init; }

    /// <summary>The remote sent an RTCP BYE.</summary>
    public bool RemoteSaidGoodbye { get; init; }

    /// <summary>Frames decoded (the quiet majority of a conference with levels is not).</summary>
    public long DecodedFrames { get; init; }

    /// <summary>Opus DTX frames played out as silence, without a decode.</summary>
    public long DtxFrames { get; init; }

    /// <summary>Packets that carried the negotiated RFC 6464 audio level.</summary>
    public long AudioLevelsReceived { get; init; }

    /// <summary>Packets whose header extension block was malformed (ignored; the audio was kept).</summary>
    public long MalformedHeaderExtensions { get; init; }
}

/// <summary>A media worker's counters.</summary>
public readonly record struct MediaWorkerStatistics
{
    public int Index { get; init; }

    public long Ticks { get; init; }

    /// <summary>Ticks that started more than <see cref="MediaOptions.LateTickThreshold"/> after their due time.</summary>
    public long LateTicks { get; init; }

    /// <summary>Ticks skipped after a stall longer than <see cref="MediaOptions.MaxCatchUpTicks"/>.</summary>
    public long SkippedTicks { get; init; }

    /// <summary>Wall time spent inside ticks (receiving, mixing, sending).</summary>
    public TimeSpan BusyTime { get; init; }

    /// <summary>CPU time of the worker thread itself (Linux CLOCK_THREAD_CPUTIME_ID; zero elsewhere).</summary>
    public TimeSpan ThreadCpuTime { get; init; }

    /// <summary>
    /// Bytes the worker thread has allocated on the managed heap since it started. Flat in steady state: the hot
    /// path allocates nothing per packet or tick; joins, leaves and DTMF hand-offs do.
    /// </summary>
    public long AllocatedBytes { get; init; }

    public int Conferences { get; init; }

    public int Participants { get; init; }
}
