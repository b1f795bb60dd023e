using Orleans;
using Orleans.Concurrency;
using ConferenceCluster.Conferencing.Allocation;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Layouts;
using ConferenceCluster.Conferencing.Services;

namespace ConferenceCluster.Conferencing.Grains;

/// <summary>Who a placed participant is, beyond where its media is.</summary>
/// <param name="Media">The call type it declared (null in state written before it was recorded): the status API shows it.</param>
/// <param name="Sequence">Its place in the join order of the instance (1, 2, …; 0 in state written before it was recorded): the layouts' order.</param>
[GenerateSerializer, Immutable, Alias("cc.ParticipantDetails")]
public sealed record ParticipantDetails(
    string ParticipantId, string? DisplayName, ParticipantRole Role, DateTimeOffset JoinedAt, CallMedia? Media = null, CallLeg? Leg = null, long Sequence = 0);

/// <summary>
/// A running conference instance as its grain persists it (Orleans grain state, storage <c>conference</c>), written after
/// every change, so an activation lost with its silo comes back elsewhere knowing its participants, lobby and waiting
/// calls and what it holds on each node, instead of splitting the room or leaking capacity.
/// </summary>
/// <param name="NodeSilos">Node name → the silo incarnation (<c>SiloAddress</c> text) that carried it when first used.</param>
/// <param name="Layout">The layout in force (the room's View or a Host's change); null for an audio-only conference.</param>
[GenerateSerializer, Immutable, Alias("cc.ConferenceInstanceState")]
public sealed record ConferenceInstanceState(
    string Name,
    DateTimeOffset StartedAt,
    ConferenceMediaPolicy Policy,
    IReadOnlyList<HostingNode> HostingNodes,
    IReadOnlyList<ParticipantPlacement> Placements,
    IReadOnlyList<ParticipantDetails> Participants,
    IReadOnlyDictionary<string, string> NodeSilos,
    IReadOnlyList<string> NodesUsed,
    int ParticipantsEver,
    HostedConferenceState? Lobby = null,
    IReadOnlyList<WaitingParticipant>? Waiting = null,
    DateTimeOffset? ReminderDue = null,
    LayoutKind? Layout = null)
{
    /// <summary>The empty state Orleans starts a conference grain with when it has no record.</summary>
    public ConferenceInstanceState()
        : this("", default, ConferenceMediaPolicy.HdWithPresentation, [], [], [], new Dictionary<string, string>(), [], 0)
    {
    }
}

/// <summary>A call waiting for the host (R-HG-1, R-LOCK-2/3): the join it asked for, placed when it is let in.</summary>
[GenerateSerializer, Immutable, Alias("cc.WaitingParticipant")]
public sealed record WaitingParticipant(JoinRequest Request, DateTimeOffset Since);
