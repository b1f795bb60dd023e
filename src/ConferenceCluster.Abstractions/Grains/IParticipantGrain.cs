using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Services;

namespace ConferenceCluster.Conferencing.Grains.Interfaces;

[GenerateSerializer, Alias("cc.CallLegState")]
public enum CallLegState
{
    Idle,
    Connected,
    Rejected,
    Disconnected,
}

/// <summary>What the signalling side knows of a call leg: the alias dialled, the protocol, where it comes from, its codec.</summary>
[GenerateSerializer, Immutable, Alias("cc.CallLeg")]
public sealed record CallLeg(string? Alias, string Protocol, string? RemoteAddress, string? Codec);

/// <summary>What the media node measured on a call leg by the time it ended (RFC 3550 receive statistics).</summary>
[GenerateSerializer, Immutable, Alias("cc.CallQuality")]
public sealed record CallQuality(long PacketsReceived, long PacketsLost, double JitterMs);

/// <summary>A call arriving at this silo for a conference.</summary>
/// <param name="CallKind">For the conference services (waiting-prompt cadence, control-only Hosts); null = from <paramref name="Media"/>: audio-only or video.</param>
/// <param name="Arrival">Dialled in, or an invitee (ADP, manual dial-out), which the lock treats differently (R-LOCK-2/3).</param>
[GenerateSerializer, Immutable, Alias("cc.CallRequest")]
public sealed record CallRequest(
    string Conference,
    CallMedia Media,
    ParticipantRole Role = ParticipantRole.Host,
    string? DisplayName = null,
    CallKind? CallKind = null,
    ArrivalKind Arrival = ArrivalKind.Caller,
    CallLeg? Leg = null);

[GenerateSerializer, Immutable, Alias("cc.CallLegStatus")]
public sealed record CallLegStatus(
    string ParticipantId,
    CallLegState State,
    string? Conference,
    string? SignalingNode,
    string? MediaNode,
    string? MediaProxyNode,
    string? DisconnectReason,
    bool Waiting = false);

/// <summary>
/// One call leg (key = call id), activated where the call arrived (prefer-local), so the silo that received the
/// signalling is the one holding it (R17). It calls its ConferenceGrain; the conference answers back only one-way.
/// </summary>
[Alias("cc.IParticipantGrain")]
public interface IParticipantGrain : IGrainWithStringKey
{
    /// <summary>Joins the conference with this silo as the signalling node.</summary>
    [Alias("Dial")]
    Task<JoinResult> Dial(CallRequest call);

    [Alias("Hangup")]
    Task Hangup();

    /// <summary>The caller hung up; <paramref name="quality"/> is what its media leg measured, for the participant history.</summary>
    [Alias("Hangup2")]
    Task Hangup(CallQuality? quality);

    /// <summary>The conference ended the call (node failure, operator, reject, a timeout, conference end).</summary>
    [Alias("Disconnected")]
    [OneWay]
    Task Disconnected(string conference, string reason);

    /// <summary>
    /// The waiting call was let in (first Host, unlock, admit, start the meeting): <paramref name="result"/> names its
    /// media nodes, as a direct join's answer would. Tells <see cref="ICallLegObserver.OnAdmitted"/>.
    /// </summary>
    [Alias("Admitted")]
    [OneWay]
    Task Admitted(string conference, JoinResult result);

    /// <summary>Play a prompt (a <see cref="Services.Prompts.PromptCatalogue"/> id) to this call. Tells <see cref="ICallLegObserver.OnPrompt"/>.</summary>
    [Alias("Prompt")]
    [OneWay]
    Task Prompt(string conference, string promptId);

    /// <summary>The conference muted or unmuted this call's audio in the mix (R-MUTE-1/2). Tells <see cref="ICallLegObserver.OnMuted"/>.</summary>
    [Alias("Muted")]
    [OneWay]
    Task Muted(string conference, bool muted);

    /// <summary>
    /// The call's media node failed and the conference placed its media again (issue 6): <paramref name="result"/>
    /// names the new nodes. Tells <see cref="ICallLegObserver.OnMediaMoved"/>.
    /// </summary>
    [Alias("MediaMoved")]
    [OneWay]
    Task MediaMoved(string conference, JoinResult result);

    [Alias("GetStatus")]
    Task<CallLegStatus> GetStatus();
}
