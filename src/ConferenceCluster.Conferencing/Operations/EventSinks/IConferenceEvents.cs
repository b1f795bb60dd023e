using ConferenceCluster.Conferencing.Grains.Interfaces;

namespace ConferenceCluster.Conferencing.Operations.EventSinks;

/// <summary>A participant as its events describe it.</summary>
/// <param name="SignalingNode">The node holding its signalling; <paramref name="MediaNode"/> the node transcoding its media.</param>
public sealed record ParticipantEventInfo(
    string Conference,
    string ParticipantId,
    string? DisplayName,
    ParticipantRole Role,
    string SignalingNode,
    string MediaNode,
    string? MediaProxyNode,
    string SystemLocation,
    DateTimeOffset ConnectTime,
    CallLeg? Leg,
    bool IsMuted = false);

/// <summary>A conference instance as its events describe it.</summary>
public sealed record ConferenceEventInfo(string Conference, DateTimeOffset StartTime, int Participants, bool IsLocked = false, bool GuestsMuted = false);

/// <summary>
/// The participant and conference management events a node publishes (L3033–3035). Called on the grain's turn:
/// implementations only enqueue, never wait on the network, so a slow sink never holds up a call.
/// </summary>
public interface IConferenceEvents
{
    void ConferenceStarted(ConferenceEventInfo conference);

    void ConferenceUpdated(ConferenceEventInfo conference);

    void ConferenceEnded(ConferenceEventInfo conference, DateTimeOffset endTime, string reason);

    void ParticipantConnected(ParticipantEventInfo participant);

    void ParticipantUpdated(ParticipantEventInfo participant);

    void ParticipantDisconnected(ParticipantEventInfo participant, DateTimeOffset disconnectTime, string reason);
}
