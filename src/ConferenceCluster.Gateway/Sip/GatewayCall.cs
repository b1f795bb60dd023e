using ConferenceCluster.Sip.UserAgent;

namespace ConferenceCluster.Gateway.Sip;

/// <summary>One SIP call leg on this silo's gateway, from INVITE to its end: which participant it is and where its media runs.</summary>
internal sealed class GatewayCall(string participantId, SipCall sip, string conference)
{
    private int _ended;

    public string ParticipantId { get; } = participantId;
    public SipCall Sip { get; } = sip;
    public string Conference { get; } = conference;
    public string? MediaNode { get; set; }
    public bool Joined { get; set; }

    /// <summary>True for the first caller only: the end of a call is handled once, whichever side ends it.</summary>
    public bool TryEnd() => Interlocked.Exchange(ref _ended, 1) == 0;
}
