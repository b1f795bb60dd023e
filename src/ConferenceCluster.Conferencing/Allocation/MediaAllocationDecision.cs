using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;

namespace ConferenceCluster.Conferencing.Allocation;

/// <summary>Capacity a node must hold (or give back) for a conference.</summary>
public sealed record CapacityReservation(string NodeName, CapacityUnits Units);

/// <summary>The outcome of <see cref="MediaAllocator.Allocate"/>: either <see cref="MediaAllocated"/> or <see cref="MediaRejected"/>.</summary>
public abstract record MediaAllocationDecision(string ParticipantId);

/// <summary>Where a new participant's media goes.</summary>
/// <param name="SignalingNode">Unchanged from the request (R17).</param>
/// <param name="MediaProxyNode">The proxying edge node that handles the endpoint's media, when the call was signalled on one (R43); else <c>null</c>.</param>
/// <param name="TranscodingNode">The node that processes the media (and, without a proxy, talks to the endpoint, R28).</param>
/// <param name="StartsHosting">True when the transcoding node does not host the conference yet and takes the backplane reservation now.</param>
/// <param name="Reservations">What the grain must reserve on each node, in node-name order, before admitting the participant.</param>
public sealed record MediaAllocated(
    string ParticipantId,
    string SignalingNode,
    string? MediaProxyNode,
    string TranscodingNode,
    string TranscodingLocation,
    MediaLocationRole LocationRole,
    bool StartsHosting,
    CapacityUnits TranscodingCost,
    CapacityUnits BackplaneReservation,
    CapacityUnits ProxyingCost,
    IReadOnlyList<CapacityReservation> Reservations) : MediaAllocationDecision(ParticipantId);

public enum MediaRejectionReason
{
    /// <summary>No node in the candidate locations (or no proxying node in the signalling location) can take the call (R25, L2197).</summary>
    CapacityExceeded,
    /// <summary>The signalling node is in maintenance mode and accepts no new calls (L11666).</summary>
    SignalingNodeInMaintenance,
    /// <summary>The signalling node is not in the snapshot (it left the cluster).</summary>
    SignalingNodeUnknown,
}

public sealed record MediaRejected(string ParticipantId, MediaRejectionReason Reason, string Detail) : MediaAllocationDecision(ParticipantId)
{
    /// <summary>What the participant is told: the seed's "capacity exceeded" (L2054, L896), or that the node is in maintenance.</summary>
    public string UserMessage => Reason switch
    {
        MediaRejectionReason.SignalingNodeInMaintenance => "System in maintenance mode",
        _ => "capacity exceeded",
    };
}
