using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Runtime.Core;

namespace ConferenceCluster.Conferencing.Grains.Interfaces;

/// <summary>Host or Guest (L994, L5531); a room without PINs makes everyone a Host.</summary>
public enum ParticipantRole
{
    Host,
    Guest,
}

/// <summary>A call that wants to join a conference.</summary>
/// <param name="ParticipantId">The call leg (ParticipantGrain key); joining twice with one id is answered with the first placement.</param>
/// <param name="SignalingNode">The node that received the call; it keeps the signalling (R17, L2176).</param>
/// <param name="PolicyMediaLocations">A policy-supplied media-location list replacing the configured chain (R26, L2219).</param>
public sealed record JoinRequest(
    string ParticipantId,
    string SignalingNode,
    CallMedia Media,
    ParticipantRole Role = ParticipantRole.Host,
    string? DisplayName = null,
    IReadOnlyList<string>? PolicyMediaLocations = null);

public enum JoinRejectionReason
{
    /// <summary>No transcoding (or proxying) capacity in any candidate location (R25, L2197): "capacity exceeded".</summary>
    CapacityExceeded,
    /// <summary>The signalling node is in maintenance mode (L11666).</summary>
    SignalingNodeInMaintenance,
    /// <summary>The signalling node is not a live node of the cluster.</summary>
    SignalingNodeUnknown,
    /// <summary>No Virtual Meeting Room has this name.</summary>
    ConferenceNotFound,
    /// <summary>The room's participant limit is reached (L5550).</summary>
    ParticipantLimitReached,
}

/// <summary>The answer to a join: where the media goes, or why not.</summary>
/// <param name="MediaNode">The transcoding node that processes the participant's media (and, unproxied, talks to the endpoint, R28).</param>
/// <param name="MediaProxyNode">The proxying edge node that relays the endpoint's media, when the call came in on one (R43).</param>
/// <param name="Message">What the caller is told when rejected: the seed's "capacity exceeded" (L2054), for instance.</param>
public sealed record JoinResult(
    string ParticipantId,
    bool Accepted,
    string SignalingNode,
    string? MediaNode = null,
    string? MediaProxyNode = null,
    string? MediaLocation = null,
    JoinRejectionReason? Rejection = null,
    string? Message = null);

/// <param name="Media">The call type the participant declared; null for one restored from state that predates it.</param>
public sealed record ParticipantStatus(
    string ParticipantId,
    string? DisplayName,
    ParticipantRole Role,
    string SignalingNode,
    string? MediaProxyNode,
    string MediaNode,
    string MediaLocation,
    DateTimeOffset JoinedAt,
    CallMedia? Media = null);

/// <summary>A backplane of the conference (R34–R38): local inside a location, geo between intermediaries.</summary>
public sealed record BackplaneStatus(BackplaneKind Kind, string NodeA, string LocationA, string NodeB, string LocationB);

/// <summary>A transcoding node that processes the conference's media.</summary>
/// <param name="Held">What the conference holds on it: its participants' calls plus the backplane reservation (R54).</param>
public sealed record MediaNodeStatus(string Node, string Location, int Participants, bool IsIntermediary, CapacityUnits Held);

/// <param name="Intermediaries">Location → its intermediary node (R37).</param>
public sealed record ConferenceStatus(
    string Name,
    DateTimeOffset? StartedAt,
    IReadOnlyList<ParticipantStatus> Participants,
    IReadOnlyList<MediaNodeStatus> MediaNodes,
    IReadOnlyList<BackplaneStatus> Backplanes,
    IReadOnlyDictionary<string, string> Intermediaries);

/// <summary>
/// One conference instance (key = the service name), single activation cluster-wide: it decides where each
/// participant's media goes and which backplanes link its media nodes. It calls NodeGrains only; whatever must
/// reach it from elsewhere comes as a request it never waits back on, so no call cycle can form.
/// </summary>
public interface IConferenceGrain : IGrainWithStringKey
{
    Task<JoinResult> Join(JoinRequest request);

    /// <summary>The participant hung up. False if it was not in the conference.</summary>
    Task<bool> Leave(string participantId);

    /// <summary>Disconnects a participant for a reason (operator command, policy). False if it was not in the conference.</summary>
    Task<bool> Disconnect(string participantId, string reason);

    Task<ConferenceStatus> GetStatus();

    /// <summary>
    /// A node left the cluster: no live failover yet (R85, L874), so its participants are disconnected and its
    /// backplanes go, and a new intermediary is elected where it was one. Idempotent.
    /// </summary>
    [OneWay]
    Task NodeFailed(string nodeName);
}
