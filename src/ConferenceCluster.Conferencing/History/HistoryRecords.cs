using ConferenceCluster.Conferencing.Grains.Interfaces;

namespace ConferenceCluster.Conferencing.History;

/// <summary>Collections of the history records (management API <c>/api/admin/history/v1/conference|participant/</c>).</summary>
public static class HistoryCollections
{
    public const string Conferences = "history_conference";
    public const string Participants = "history_participant";
}

/// <summary>One participant's call in one conference, written when it ends.</summary>
/// <param name="DisconnectReason">"Participant disconnected", "Conferencing Node X failed" and so on.</param>
public sealed record ParticipantHistoryRecord(
    string Id,
    string Conference,
    string ParticipantId,
    string? DisplayName,
    ParticipantRole Role,
    string SignalingNode,
    string? MediaProxyNode,
    string MediaNode,
    string MediaLocation,
    DateTimeOffset StartTime,
    DateTimeOffset EndTime,
    double DurationSeconds,
    string DisconnectReason,
    CallLeg? Leg = null,
    CallQuality? Quality = null);

/// <summary>One conference instance, written when its last participant has gone.</summary>
/// <param name="NodesUsed">Every node that carried signalling, proxying or media for it.</param>
public sealed record ConferenceHistoryRecord(
    string Id,
    string Conference,
    DateTimeOffset StartTime,
    DateTimeOffset EndTime,
    double DurationSeconds,
    int Participants,
    IReadOnlyList<string> NodesUsed,
    string EndReason);
