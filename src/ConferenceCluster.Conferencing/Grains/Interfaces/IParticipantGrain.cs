using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Services;
using ConferenceCluster.Runtime.Core;

namespace ConferenceCluster.Conferencing.Grains.Interfaces;

public enum CallLegState
{
    Idle,
    Connected,
    Rejected,
    Disconnected,
}

/// <summary>What the signalling side knows of a call leg: the alias dialled, the protocol, where it comes from, its codec.</summary>
public sealed record CallLeg(string? Alias, string Protocol, string? RemoteAddress, string? Codec);

/// <summary>What the media node measured on a call leg by the time it ended (RFC 3550 receive statistics).</summary>
public sealed record CallQuality(long PacketsReceived, long PacketsLost, double JitterMs);

/// <summary>A call arriving at this silo for a conference.</summary>
/// <param name="CallKind">For the conference services (waiting-prompt cadence, control-only Hosts); null = from <paramref name="Media"/>: audio-only or video.</param>
/// <param name="Arrival">Dialled in, or an invitee (ADP, manual dial-out), which the lock treats differently (R-LOCK-2/3).</param>
public sealed record CallRequest(
    string Conference,
    CallMedia Media,
    ParticipantRole Role = ParticipantRole.Host,
    string? DisplayName = null,
    CallKind? CallKind = null,
    ArrivalKind Arrival = ArrivalKind.Caller,
    CallLeg? Leg = null);

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
public interface IParticipantGrain : IGrainWithStringKey
{
    /// <summary>Joins the conference with this silo as the signalling node.</summary>
    Task<JoinResult> Dial(CallRequest call);

    Task Hangup();

    /// <summary>The caller hung up; <paramref name="quality"/> is what its media leg measured, for the participant history.</summary>
    Task Hangup(CallQuality? quality);

    /// <summary>The conference ended the call (node failure, operator, reject, a timeout, conference end).</summary>
    [OneWay]
    Task Disconnected(string conference, string reason);

    /// <summary>
    /// The waiting call was let in (first Host, unlock, admit, start the meeting): <paramref name="result"/> names its
    /// media nodes, as a direct join's answer would. Tells <see cref="ICallLegObserver.OnAdmitted"/>.
    /// </summary>
    [OneWay]
    Task Admitted(string conference, JoinResult result);

    /// <summary>Play a prompt (a <see cref="Services.Prompts.PromptCatalogue"/> id) to this call. Tells <see cref="ICallLegObserver.OnPrompt"/>.</summary>
    [OneWay]
    Task Prompt(string conference, string promptId);

    /// <summary>The conference muted or unmuted this call's audio in the mix (R-MUTE-1/2). Tells <see cref="ICallLegObserver.OnMuted"/>.</summary>
    [OneWay]
    Task Muted(string conference, bool muted);

    /// <summary>
    /// The call's media node failed and the conference placed its media again (issue 6): <paramref name="result"/>
    /// names the new nodes. Tells <see cref="ICallLegObserver.OnMediaMoved"/>.
    /// </summary>
    [OneWay]
    Task MediaMoved(string conference, JoinResult result);

    Task<CallLegStatus> GetStatus();
}
