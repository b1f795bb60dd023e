using ConferenceCluster.Conferencing.Configuration;

namespace ConferenceCluster.Conferencing.Layouts;

/// <summary>
/// What one conference grain last handed each of its media nodes of its video (<see cref="ConferenceVideoState"/>), and
/// the step from there to what it has now: every node that hosts the conference gets each new state, a node that starts
/// hosting gets the current one, a node that stops gets null. The grain calls <see cref="FollowAsync"/> whenever its
/// roster, layout or nodes may have changed; only a real change is numbered and sent.
/// </summary>
/// <param name="epoch">When this activation of the grain started (UTC ticks): see <see cref="ConferenceVideoState.Epoch"/>.</param>
public sealed class ConferenceVideoLayouts(IVideoLayoutWiring wiring, long epoch)
{
    private readonly Dictionary<string, long> _given = new(StringComparer.Ordinal);
    private ConferenceVideoState? _current;
    private long _version;

    /// <summary>The state the media nodes have been given last (null: none, or the conference has no video).</summary>
    public ConferenceVideoState? Current => _current;

    /// <param name="nodes">The media nodes hosting the conference now.</param>
    /// <param name="layout">The layout in force; null for a conference without video (then nothing is composed anywhere).</param>
    /// <param name="roster">Everyone with media in the conference, in join order.</param>
    public async Task FollowAsync(string conference, IReadOnlyCollection<string> nodes, MaximumCallQuality quality, LayoutKind? layout,
        IReadOnlyList<LayoutParticipant> roster)
    {
        ConferenceVideoState? wanted = layout is { } kind ? new ConferenceVideoState(epoch, _version, quality, kind, roster) : null;
        if (wanted is not null && !wanted.SameContentAs(_current))
        {
            wanted = wanted with { Version = ++_version };
            _current = wanted;
        }
        else if (wanted is null)
        {
            _current = null;
        }

        var gone = _given.Keys.Where(node => _current is null || !nodes.Contains(node)).ToList();
        foreach (var node in gone) _given.Remove(node);
        var behind = _current is null ? [] : nodes.Where(node => _given.GetValueOrDefault(node, -1) != _current.Version).ToList();
        if (gone.Count > 0) await wiring.ApplyAsync(conference, null, gone);
        if (behind.Count > 0)
        {
            await wiring.ApplyAsync(conference, _current, behind);
            foreach (var node in behind) _given[node] = _current!.Version;
        }
    }
}
