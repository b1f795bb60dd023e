using ConferenceCluster.Conferencing.Capacity;
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
public sealed record CallRequest(string Conference, CallMedia Media, ParticipantRole Role = ParticipantRole.Host, string? DisplayName = null);

public sealed record CallLegStatus(
    string ParticipantId,
    CallLegState State,
    string? Conference,
    string? SignalingNode,
    string? MediaNode,
    string? MediaProxyNode,
    string? DisconnectReason);

/// <summary>
/// One call leg (key = call id), activated where the call arrived (prefer-local), so the silo that received the
/// signalling is the one holding it (R17). It calls its ConferenceGrain; the conference answers back only one-way.
/// </summary>
public interface IParticipantGrain : IGrainWithStringKey
{
    /// <summary>Joins the conference with this silo as the signalling node.</summary>
    Task<JoinResult> Dial(CallRequest call);

    Task Hangup();

    /// <summary>The conference ended the call (node failure, operator, conference end).</summary>
    [OneWay]
    Task Disconnected(string conference, string reason);

    Task<CallLegStatus> GetStatus();
}
