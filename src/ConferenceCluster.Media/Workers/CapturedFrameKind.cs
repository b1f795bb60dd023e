namespace ConferenceCluster.Media.Workers;

/// <summary>What a leg's worker captured for the next mix.</summary>
internal enum CapturedFrameKind
{
    /// <summary>Nothing to mix (silence, DTX, muted, or a lost packet nobody hears).</summary>
    None,
    /// <summary>A decoded frame.</summary>
    Decoded,
    /// <summary>A packet with a trusted RFC 6464 level, not decoded: the mixer decodes it if it chooses it.</summary>
    Level,
}
