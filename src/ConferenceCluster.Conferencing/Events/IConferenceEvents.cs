using ConferenceCluster.Conferencing.Allocation;
using ConferenceCluster.Conferencing.Grains;

namespace ConferenceCluster.Conferencing.Events;

/// <summary>
/// The participant and conference management events a conference produces (L3033–3035). Called on the grain's turn:
/// implementations only enqueue, never wait on the network, so nothing downstream (a stream, a slow sink) holds up a call.
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

/// <summary>How the conference grain describes a participant in its events.</summary>
public static class ParticipantEvents
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
