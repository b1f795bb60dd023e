using ConferenceCluster.Conferencing.Allocation;
using ConferenceCluster.Conferencing.Grains;
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
    bool IsMuted = false)
{
    /// <summary>The participant as the conference grain holds it, or null when it holds no media (waiting, or gone).</summary>
    public static ParticipantEventInfo? Of(string conference, ConferencePlacement? placement, IReadOnlyDictionary<string, ParticipantDetails> participants,
        string participantId, bool isMuted = false) =>
        placement?.Participants.GetValueOrDefault(participantId) is { } p && participants.GetValueOrDefault(participantId) is { } d
            ? Of(conference, p, d, isMuted)
            : null;

    public static ParticipantEventInfo Of(string conference, ParticipantPlacement placement, ParticipantDetails details, bool isMuted = false) =>
        new(conference, placement.ParticipantId, details.DisplayName, details.Role, placement.SignalingNode, placement.TranscodingNode,
            placement.MediaProxyNode, placement.TranscodingLocation, details.JoinedAt, details.Leg, isMuted);
}

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

    /// <summary>
    /// A call was refused because no node able to take its media had room: raises <c>capacity_exhausted</c> (L15414),
    /// which the next connect or disconnect on this silo lowers.
    /// </summary>
    void CapacityExhausted(string conference, string signalingNode);
}
