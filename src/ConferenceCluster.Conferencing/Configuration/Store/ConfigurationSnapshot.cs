using System.Collections.Immutable;

namespace ConferenceCluster.Conferencing.Configuration.Store;

/// <summary>
/// The whole configuration as one silo last read it from the cluster database: immutable, so grains read it
/// without locks and a reader never sees half of a change.
/// </summary>
public sealed class ConfigurationSnapshot
{
    public static readonly ConfigurationSnapshot Empty = new(-1, [], [], [], GlobalSettings.Default);

    public ConfigurationSnapshot(
        long changeCounter,
        IEnumerable<SystemLocation> locations,
        IEnumerable<NodeRecord> nodes,
        IEnumerable<VirtualMeetingRoom> conferences,
        GlobalSettings global)
    {
        ChangeCounter = changeCounter;
        Locations = locations.ToImmutableSortedDictionary(l => l.Name, l => l, StringComparer.Ordinal);
        Nodes = nodes.ToImmutableSortedDictionary(n => n.Node.Name, n => n, StringComparer.Ordinal);
        Conferences = conferences.ToImmutableSortedDictionary(c => c.Name, c => c, StringComparer.Ordinal);
        // Built from the rooms themselves (the source of truth); the alias documents only guard uniqueness.
        var aliases = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var room in Conferences.Values)
            foreach (var alias in room.Aliases)
                aliases.TryAdd(alias.Alias, room.Name);
        ConferencesByAlias = aliases.ToImmutable();
        Global = global;
    }

    /// <summary>The store's change counter read just before this snapshot was loaded.</summary>
    public long ChangeCounter { get; }

    public IReadOnlyDictionary<string, SystemLocation> Locations { get; }

    public IReadOnlyDictionary<string, NodeRecord> Nodes { get; }

    public IReadOnlyDictionary<string, VirtualMeetingRoom> Conferences { get; }

    /// <summary>Alias → conference name, matched case-insensitively (L6788).</summary>
    public IReadOnlyDictionary<string, string> ConferencesByAlias { get; }

    public GlobalSettings Global { get; }

    public PlatformConfiguration Platform => new(Locations.Values.ToList(), Nodes.Values.Select(n => n.Node).ToList());

    public VirtualMeetingRoom? FindConferenceByAlias(string alias) =>
        ConferencesByAlias.TryGetValue(alias, out var name) ? Conferences.GetValueOrDefault(name) : null;
}
