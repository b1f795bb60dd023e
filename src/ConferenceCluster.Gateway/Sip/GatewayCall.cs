using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Services;
using ConferenceCluster.Gateway.Media;
using ConferenceCluster.Gateway.Ivr;
using ConferenceCluster.Sip.Sdp;
using ConferenceCluster.Sip.UserAgent;

namespace ConferenceCluster.Gateway.Sip;

/// <summary>One SIP call leg on this silo's gateway, from INVITE to its end: which participant it is and where its media runs.</summary>
internal sealed class GatewayCall(string participantId, SipCall sip, string conference, NegotiatedAudio audio)
{
    private int _ended;

    public string ParticipantId { get; } = participantId;
    public SipCall Sip { get; } = sip;
    public string Conference { get; } = conference;
    /// <summary>What the endpoint and we agreed at INVITE time; the conference leg uses the same codec and payload types.</summary>
    public NegotiatedAudio Audio { get; } = audio;
    public string? MediaNode { get; set; }
    /// <summary>The Proxying Edge Node relaying the media (R43), if any: the endpoint's RTP goes there, not to <see cref="MediaNode"/>.</summary>
    public string? ProxyNode { get; set; }
    /// <summary>The node the endpoint sends its media to, which follows the endpoint when it moves (re-INVITE).</summary>
    public string? EndpointFacingNode => ProxyNode ?? MediaNode;
    /// <summary>The conference counts this participant (accepted, in or waiting): a hang-up must tell it.</summary>
    public bool Joined { get; set; }
    /// <summary>The media runs on the conference's media node; digits are conference commands from now on.</summary>
    public bool InConference { get; set; }
    public string? DisplayName { get; set; }
    /// <summary>The alias the caller dialled (the user part of the Request-URI).</summary>
    public string? Alias { get; init; }
    /// <summary>Muted by the conference; applied to the media leg as soon as it exists.</summary>
    public bool Muted { get; set; }
    /// <summary>Why we are hanging up, set before our BYE so the end of the dialog reports our reason, not "local hang-up".</summary>
    public string? HangUpReason { get; set; }

    /// <summary>The conference's Maximum call quality when it has video (our m=video answers follow it); null: audio-only, every m=video rejected.</summary>
    public MaximumCallQuality? VideoQuality { get; init; }
    /// <summary>The room's inbound and outbound call bandwidth limits (R-QoS-4), for our b=AS and the composite's rate.</summary>
    public int? InboundLimitKbps { get; init; }
    public int? OutboundLimitKbps { get; init; }
    /// <summary>What the endpoint and we agreed for video (VP8), while the call has video; null for an audio-only call.</summary>
    public NegotiatedVideo? Video { get; set; }
    /// <summary>Where the endpoint sends its video (its video leg, or the relay's outer ports) while it has a video leg in the conference.</summary>
    public MediaLegAddress? VideoAddress { get; set; }

    /// <summary>Serialises what happens to the call's PIN entry (DTMF, its timer, prompts).</summary>
    public Lock Gate { get; } = new();
    public PinEntrySession? Pin { get; set; }
    public IvrMediaSession? Ivr { get; set; }

    /// <summary>A prompt the conference sent before the call's prompt port was open (a caller told to wait at once).</summary>
    public string? PendingPrompt;
    public ITimer? PinTimer { get; set; }

    /// <summary>True for the first caller only: the end of a call is handled once, whichever side ends it.</summary>
    public bool TryEnd() => Interlocked.Exchange(ref _ended, 1) == 0;

    public bool HasEnded => Volatile.Read(ref _ended) != 0;
}
