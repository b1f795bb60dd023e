namespace ConferenceCluster.Conferencing.Backplanes;

/// <summary>A transcoding node that processes media for a conference.</summary>
/// <param name="HostingSequence">
/// The order in which the node started hosting this conference (smaller = earlier). It elects the intermediary.
/// </param>
public sealed record MediaHost(string NodeName, string Location, long HostingSequence);

/// <summary>
/// The backplanes of one conference, derived from the set of its media nodes alone.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>One intermediary per location in use (R37, L2168, L2226): the node of that location that has hosted the
/// conference longest (smallest <see cref="MediaHost.HostingSequence"/>, ties by ordinal name). The seed's examples
/// use the first node that hosted (S4: UStrans01, L2320). Because later nodes always have larger sequence numbers, the
/// intermediary never changes while it hosts; when it leaves, the next-oldest node takes over (Q6).</item>
/// <item>Local backplanes form a star: every other node of the location to its intermediary (Q4; L2168 "acts as the
/// intermediary for any other transcoding nodes in the same location"). With at most three nodes per location
/// (R30) that is at most two local backplanes per location.</item>
/// <item>Geo backplanes form a full mesh between intermediaries (Q5; L2145 "to another intermediary node in the other
/// locations", L2226 "established between those intermediary nodes").</item>
/// </list>
/// </remarks>
public sealed class BackplaneTopology
{
    public static readonly BackplaneTopology Empty = new(new SortedDictionary<string, string>(StringComparer.Ordinal), []);

    private BackplaneTopology(SortedDictionary<string, string> intermediaries, IReadOnlyList<Backplane> backplanes)
    {
        Intermediaries = intermediaries;
        Backplanes = backplanes;
    }

    /// <summary>Location name → its intermediary node, for every location with at least one media node.</summary>
    public IReadOnlyDictionary<string, string> Intermediaries { get; }

    /// <summary>All backplanes, in a stable order (kind, then node names).</summary>
    public IReadOnlyList<Backplane> Backplanes { get; }

    public static BackplaneTopology For(IEnumerable<MediaHost> mediaNodes)
    {
        var byLocation = mediaNodes
            .GroupBy(h => h.Location, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => g.OrderBy(h => h.HostingSequence).ThenBy(h => h.NodeName, StringComparer.Ordinal).ToList(),
                StringComparer.Ordinal);

        var intermediaries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var backplanes = new List<Backplane>();
        foreach (var (location, hosts) in byLocation)
        {
            var intermediary = hosts[0].NodeName;
            intermediaries[location] = intermediary;
            backplanes.AddRange(hosts.Skip(1).Select(h => Backplane.Between(intermediary, h.NodeName, BackplaneKind.Local)));
        }

        var hubs = intermediaries.Values.ToList();
        for (var i = 0; i < hubs.Count; i++)
            for (var j = i + 1; j < hubs.Count; j++)
                backplanes.Add(Backplane.Between(hubs[i], hubs[j], BackplaneKind.Geo));

        var ordered = backplanes
            .OrderBy(b => b.Kind)
            .ThenBy(b => b.NodeA, StringComparer.Ordinal)
            .ThenBy(b => b.NodeB, StringComparer.Ordinal)
            .ToList();
        return new BackplaneTopology(intermediaries, ordered);
    }

    /// <summary>The backplane neighbours of a node: where it sends and from where it receives the conference's media.</summary>
    public IEnumerable<string> NeighboursOf(string node) => Backplanes.Where(b => b.Touches(node)).Select(b => b.OtherEnd(node));

    public bool IsIntermediary(string node) => Intermediaries.Values.Contains(node, StringComparer.Ordinal);
}
