using ConferenceCluster.Conferencing.Allocation;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Services;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Conferencing.Grains;

/// <summary>
/// Calls that survive the failure of their media (or proxying) node (issue 6, item 2): Pexip drops every call that
/// touched a failed node (R85, L874); here a call whose signalling node survives is placed again by the same rules as
/// a join (<see cref="MediaAllocator"/>, reservations and all), and its signalling node is told to re-INVITE the
/// endpoint onto the new media node. Only a call that cannot be placed again (no capacity left) is disconnected.
/// </summary>
public sealed partial class ConferenceGrain
{
    /// <summary>The dropped participants that still have a signalling node to move them (none when the option is off).</summary>
    private List<string> MovableOffFailedNode(PlacementChange change, string failedNode) =>
        options.MoveCallsOffFailedNodes
            ? change.DroppedParticipants.Where(id => change.Before.Participants[id].SignalingNode != failedNode).ToList()
            : [];

    /// <summary>Places each call again, in the order they were dropped; returns those that found no room.</summary>
    private async Task<List<string>> MoveCallsAsync(PlacementChange change, IReadOnlyList<string> movable)
    {
        var stranded = new List<string>();
        if (movable.Count == 0) return stranded;
        var room = configuration.Current.Conferences.GetValueOrDefault(Name);
        foreach (var id in movable)
        {
            var before = change.Before.Participants[id];
            var details = _participants.GetValueOrDefault(id) ?? new ParticipantDetails(id, null, ParticipantRole.Host, _startedAt);
            var media = details.Media ?? CallMedia.Audio;
            var request = new JoinRequest(id, before.SignalingNode, media, details.Role, details.DisplayName,
                CallKind: media.AudioOnly ? CallKind.AudioOnly : CallKind.Video, Leg: details.Leg);
            var result = await PlaceAsync(request, room);
            if (!result.Accepted)
            {
                logger.LogWarning("Conference {Conference}: {Participant} could not be moved off {Node}: {Message}",
                    Name, id, before.TranscodingNode, result.Message);
                stranded.Add(id);
                continue;
            }
            // The same call goes on: it keeps when it joined and is counted once.
            _participants = _participants.SetItem(id, details);
            _participantsEver--;
            logger.LogInformation("Conference {Conference}: {Participant} moved from {OldNode} to {NewNode}{Proxy}",
                Name, id, before.TranscodingNode, result.MediaNode, result.MediaProxyNode is { } proxy ? $" (proxied by {proxy})" : "");
            Tell(id, leg => leg.MediaMoved(Name, result));
        }
        return stranded;
    }
}
