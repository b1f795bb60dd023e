using ConferenceCluster.Conferencing.Grains.Interfaces;

namespace ConferenceCluster.Conferencing.Events;

/// <summary>
/// Where a conference's events travel: an Orleans stream per conference instance (provider
/// <see cref="Provider"/>, namespace <see cref="Namespace"/>, key = the conference's name). The conference grain produces
/// them; event sinks consume them through an implicit subscription, and the client API's event stream subscribes to them.
/// </summary>
public static class ConferenceEventStreams
{
    public const string Provider = "conference-events";

    public const string Namespace = "conference";
}

/// <summary>A participant as its events describe it.</summary>
/// <param name="SignalingNode">The node holding its signalling; <paramref name="MediaNode"/> the node transcoding its media.</param>
[GenerateSerializer, Immutable, Alias("cc.ParticipantEventInfo")]
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
[GenerateSerializer, Immutable, Alias("cc.ConferenceEventInfo")]
public sealed record ConferenceEventInfo(string Conference, DateTimeOffset StartTime, int Participants, bool IsLocked = false, bool GuestsMuted = false);

/// <summary>
/// One participant or conference management event (seed L3033–3035: "every participant and conference management event").
/// <paramref name="Node"/> and <paramref name="Location"/> are the Conferencing Node that produced it and its system
/// location: event sinks are configured per location (L3052).
/// </summary>
[GenerateSerializer, Immutable, Alias("cc.ConferenceEvent")]
public abstract record ConferenceEvent(string Conference, DateTimeOffset At, string Node, string Location);

[GenerateSerializer, Immutable, Alias("cc.ConferenceStarted")]
public sealed record ConferenceStarted(ConferenceEventInfo Info, DateTimeOffset At, string Node, string Location)
    : ConferenceEvent(Info.Conference, At, Node, Location);

[GenerateSerializer, Immutable, Alias("cc.ConferenceUpdated")]
public sealed record ConferenceUpdated(ConferenceEventInfo Info, DateTimeOffset At, string Node, string Location)
    : ConferenceEvent(Info.Conference, At, Node, Location);

[GenerateSerializer, Immutable, Alias("cc.ConferenceEnded")]
public sealed record ConferenceEnded(ConferenceEventInfo Info, string Reason, DateTimeOffset At, string Node, string Location)
    : ConferenceEvent(Info.Conference, At, Node, Location);

[GenerateSerializer, Immutable, Alias("cc.ParticipantConnected")]
public sealed record ParticipantConnected(ParticipantEventInfo Participant, DateTimeOffset At, string Node, string Location)
    : ConferenceEvent(Participant.Conference, At, Node, Location);

[GenerateSerializer, Immutable, Alias("cc.ParticipantUpdated")]
public sealed record ParticipantUpdated(ParticipantEventInfo Participant, DateTimeOffset At, string Node, string Location)
    : ConferenceEvent(Participant.Conference, At, Node, Location);

[GenerateSerializer, Immutable, Alias("cc.ParticipantDisconnected")]
public sealed record ParticipantDisconnected(ParticipantEventInfo Participant, string Reason, DateTimeOffset At, string Node, string Location)
    : ConferenceEvent(Participant.Conference, At, Node, Location);
