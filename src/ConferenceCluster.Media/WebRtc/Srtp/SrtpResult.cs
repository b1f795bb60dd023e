namespace ConferenceCluster.Media.WebRtc.Srtp;

/// <summary>What became of a packet handed to <see cref="SrtpContext"/> for unprotection.</summary>
public enum SrtpResult
{
    /// <summary>Authenticated, fresh, decrypted in place.</summary>
    Ok,
    /// <summary>Too short, not version 2, or a header longer than the packet.</summary>
    Malformed,
    /// <summary>The authentication tag does not match: forged, corrupted, or under other keys.</summary>
    AuthenticationFailed,
    /// <summary>An index already received, or older than the replay window (RFC 3711 §3.3.2).</summary>
    Replayed,
    /// <summary>A new SSRC beyond the context's stream limit.</summary>
    TooManyStreams,
}

/// <summary>Counters of one <see cref="SrtpContext"/> (they only grow).</summary>
public readonly record struct SrtpStatistics(long Protected, long Unprotected, long Malformed, long AuthenticationFailures, long Replayed, long TooManyStreams);
