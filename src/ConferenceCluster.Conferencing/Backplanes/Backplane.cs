namespace ConferenceCluster.Conferencing.Backplanes;

/// <summary>
/// A media link between two Transcoding Conferencing Nodes hosting the same conference. Undirected: the two node
/// names are stored in ordinal order so that equal backplanes compare equal whichever way they were built.
/// </summary>
public sealed record Backplane
{
    private Backplane(string nodeA, string nodeB, BackplaneKind kind)
    {
        NodeA = nodeA;
        NodeB = nodeB;
        Kind = kind;
    }

    public string NodeA { get; }

    public string NodeB { get; }

    public BackplaneKind Kind { get; }

    public static Backplane Between(string node1, string node2, BackplaneKind kind)
    {
        if (string.Equals(node1, node2, StringComparison.Ordinal))
            throw new ArgumentException($"A backplane needs two different nodes, got \"{node1}\" twice.");
        return string.CompareOrdinal(node1, node2) < 0 ? new(node1, node2, kind) : new(node2, node1, kind);
    }

    public bool Touches(string node) => NodeA == node || NodeB == node;

    public string OtherEnd(string node) => NodeA == node ? NodeB : NodeB == node ? NodeA
        : throw new ArgumentException($"{this} does not touch \"{node}\".");

    public override string ToString() => $"{Kind} {NodeA}<->{NodeB}";
}
