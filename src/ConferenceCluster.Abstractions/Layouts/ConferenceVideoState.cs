using ConferenceCluster.Conferencing.Configuration;

namespace ConferenceCluster.Conferencing.Layouts;

/// <summary>
/// A conference's video as its grain hands it to every media node hosting it: the layout in force (the room's View,
/// or what a Host changed it to, L7089), the Maximum call quality (the largest composite, R-QoS-1), and the whole
/// roster, local and remote participants alike, in join order with their roles and video, so every node composes the
/// same layouts (docs/decisions.md, "Layout state through the grains").
/// </summary>
/// <param name="Epoch">
/// When the activation of the conference grain that made the state started (UTC ticks): an activation that restored the
/// conference elsewhere numbers its states afresh, and its states win over those of the one it replaced.
/// </param>
/// <param name="Version">Grows with every change within one activation.</param>
[GenerateSerializer, Immutable, Alias("cc.ConferenceVideoState")]
public sealed record ConferenceVideoState(
    long Epoch,
    long Version,
    MaximumCallQuality MaximumQuality,
    LayoutKind Layout,
    IReadOnlyList<LayoutParticipant> Roster)
{
    /// <summary>Whether this state replaces <paramref name="current"/> (null: there is none).</summary>
    public bool IsNewerThan(ConferenceVideoState? current) =>
        current is null || Epoch > current.Epoch || (Epoch == current.Epoch && Version > current.Version);

    /// <summary>Same layout, quality and roster (whatever the numbering).</summary>
    public bool SameContentAs(ConferenceVideoState? other) =>
        other is not null && MaximumQuality == other.MaximumQuality && Layout == other.Layout && Roster.SequenceEqual(other.Roster);
}
