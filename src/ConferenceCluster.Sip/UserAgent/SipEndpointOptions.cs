using ConferenceCluster.Sip.Transactions;
using ConferenceCluster.Sip.Transport;

namespace ConferenceCluster.Sip.UserAgent;

/// <summary>Everything tunable about a <see cref="SipEndpoint"/>.</summary>
public sealed class SipEndpointOptions
{
    public SipTransportOptions Transport { get; init; } = new();

    public SipTimerOptions Timers { get; init; } = new();

    /// <summary>Written in Server (responses) and User-Agent (requests) headers; null writes neither.</summary>
    public string? ProductName { get; init; } = "ConferenceCluster";

    /// <summary>Calls at once (offered, answered or up); beyond it INVITEs get 503 with <see cref="OverloadRetryAfter"/>.</summary>
    public int MaxCalls { get; init; } = 10_000;

    /// <summary>Retry-After of the 503 sent when <see cref="MaxCalls"/> is reached (RFC 3261 21.5.4).</summary>
    public TimeSpan OverloadRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long <see cref="ISipCallHandler.OnInviteAsync"/> may take. After it the caller gets 480
    /// Temporarily Unavailable and the handler's token is cancelled, so a stuck handler cannot hold calls forever.
    /// </summary>
    public TimeSpan InviteDecisionTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Option tags we support (the Supported header, RFC 3261 20.37); none by default, so any Require gets 420.</summary>
    public IReadOnlyList<string> SupportedExtensions { get; init; } = [];
}
