namespace ConferenceCluster.Media.WebRtc.Ice;

/// <summary>What an ICE-lite agent has seen (counters only grow).</summary>
public sealed record IceLiteStatistics
{
    public required IceLiteState State { get; init; }

    /// <summary>Valid Binding requests answered with success (the first ones and every consent check after).</summary>
    public required long ChecksAnswered { get; init; }

    /// <summary>Requests answered 400 (missing USERNAME, MESSAGE-INTEGRITY or PRIORITY) or 420 (unknown attribute).</summary>
    public required long BadRequests { get; init; }

    /// <summary>Requests answered 401: wrong username or integrity.</summary>
    public required long Unauthorized { get; init; }

    /// <summary>STUN datagrams dropped unanswered: malformed, bad FINGERPRINT, indications, responses.</summary>
    public required long Dropped { get; init; }

    /// <summary>The nominated (or first valid) remote address, or null.</summary>
    public string? SelectedRemote { get; init; }
}
