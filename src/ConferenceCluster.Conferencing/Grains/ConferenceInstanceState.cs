using ConferenceCluster.Conferencing.Allocation;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Grains.Interfaces;

namespace ConferenceCluster.Conferencing.Grains;

/// <summary>Who a placed participant is, beyond where its media is.</summary>
/// <param name="Media">The call type it declared (null in state written before it was recorded): the status API shows it.</param>
public sealed record ParticipantDetails(string ParticipantId, string? DisplayName, ParticipantRole Role, DateTimeOffset JoinedAt, CallMedia? Media = null, CallLeg? Leg = null);

/// <summary>
/// A running conference instance as its grain persists it (collection <c>conference_instance</c>), written after every
/// change, so an activation lost with its silo comes back elsewhere knowing its participants and what it holds on
/// each node, instead of splitting the room or leaking capacity.
/// </summary>
/// <param name="NodeSilos">Node name → the silo incarnation (<c>SiloAddress</c> text) that carried it when first used.</param>
public sealed record ConferenceInstanceState(
    string Name,
    DateTimeOffset StartedAt,
    ConferenceMediaPolicy Policy,
    IReadOnlyList<HostingNode> HostingNodes,
    IReadOnlyList<ParticipantPlacement> Placements,
    IReadOnlyList<ParticipantDetails> Participants,
    IReadOnlyDictionary<string, string> NodeSilos,
    IReadOnlyList<string> NodesUsed,
    int ParticipantsEver)
{
    public const string Collection = "conference_instance";
}
