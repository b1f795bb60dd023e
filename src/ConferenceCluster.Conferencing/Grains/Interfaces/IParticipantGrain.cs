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

/// <summary>A call arriving at this silo for a conference.</summary>
/// <param name="CallKind">For the conference services (waiting-prompt cadence, control-only Hosts); null = from <paramref name="Media"/>: audio-only or video.</param>
/// <param name="Arrival">Dialled in, or an invitee (ADP, manual dial-out), which the lock treats differently (R-LOCK-2/3).</param>
public sealed record CallRequest(
    string Conference,
    CallMedia Media,
    ParticipantRole Role = ParticipantRole.Host,
    string? DisplayName = null,
    CallKind? CallKind = null,
    ArrivalKind Arrival = ArrivalKind.Caller);

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

    Task<CallLegStatus> GetStatus();
}
