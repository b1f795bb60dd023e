namespace ConferenceCluster.Media.WebRtc.Ice;

/// <summary>Where an ICE-lite agent stands (RFC 8445 §2.5: a lite agent only answers checks).</summary>
public enum IceLiteState
{
    /// <summary>No valid check yet.</summary>
    New,
    /// <summary>A valid check arrived: its source is where we send until one is nominated.</summary>
    Connected,
    /// <summary>The browser nominated a pair (USE-CANDIDATE): its source is where we send.</summary>
    Completed,
    /// <summary>No valid check from the selected address for the consent timeout (RFC 7675 §5.1: 30 s): we stop sending.</summary>
    Disconnected,
}

/// <summary>What <see cref="IceLiteAgent.ProcessStun"/> did with a datagram.</summary>
public enum StunOutcome
{
    /// <summary>A valid Binding request: answered with a success response, its source validated.</summary>
    Answered,
    /// <summary>An invalid request answered with an error (400, 401, 420).</summary>
    Rejected,
    /// <summary>Dropped without an answer: not STUN, a bad FINGERPRINT, an indication or a response.</summary>
    Dropped,
}
