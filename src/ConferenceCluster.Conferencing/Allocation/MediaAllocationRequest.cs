using ConferenceCluster.Conferencing.Capacity;

namespace ConferenceCluster.Conferencing.Allocation;

/// <summary>A new participant of a conference needs a media node.</summary>
/// <param name="ParticipantId">The call leg (ParticipantGrain key).</param>
/// <param name="SignalingNode">The node that received the call. It keeps the signalling whatever happens (R17, L2176).</param>
/// <param name="Media">What the call needs (audio/video, codec, presentation).</param>
/// <param name="PolicyMediaLocations">
/// A media-location list from local or external policy, which replaces the signalling location's
/// transcoding/primary/secondary chain (R26, L2219). <c>null</c> = use the configured chain.
/// </param>
public sealed record MediaAllocationRequest(
    string ParticipantId,
    string SignalingNode,
    CallMedia Media,
    IReadOnlyList<string>? PolicyMediaLocations = null);
