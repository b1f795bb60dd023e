using System.Globalization;

namespace ConferenceCluster.Runtime.Membership;

/// <summary>
/// Identity of one silo incarnation: where it listens for silo-to-silo traffic and the
/// generation (start epoch) that tells a restarted silo apart from its dead predecessor.
/// </summary>
public sealed record SiloAddress(string Host, int Port, int Generation) : IComparable<SiloAddress>
{
    public override string ToString() => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}@{Generation.ToString(CultureInfo.InvariantCulture)}";

    public static SiloAddress Parse(string text)
    {
        var at = text.LastIndexOf('@');
        var colon = at < 0 ? -1 : text.LastIndexOf(':', at);
        if (at < 0 || colon < 0)
            throw new FormatException($"'{text}' is not a silo address (host:port@generation)");
        return new SiloAddress(
            text[..colon],
            int.Parse(text.AsSpan(colon + 1, at - colon - 1), CultureInfo.InvariantCulture),
            int.Parse(text.AsSpan(at + 1), CultureInfo.InvariantCulture));
    }

    /// <summary>A generation from the wall clock, as Orleans does: seconds since 2024, so it fits an int for decades.</summary>
    public static int NewGeneration(TimeProvider time) =>
        (int)(time.GetUtcNow() - new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)).TotalSeconds;

    public int CompareTo(SiloAddress? other)
    {
        if (other is null) return 1;
        var c = string.CompareOrdinal(Host, other.Host);
        if (c != 0) return c;
        c = Port.CompareTo(other.Port);
        return c != 0 ? c : Generation.CompareTo(other.Generation);
    }

    /// <summary>A stable hash (string.GetHashCode is randomised per process; placement must agree across silos).</summary>
    public uint StableHash() => StableHashing.Fnv1a(ToString());
}

public static class StableHashing
{
    public static uint Fnv1a(string text)
    {
        uint hash = 2166136261;
        foreach (var ch in text)
        {
            hash ^= ch;
            hash *= 16777619;
        }
        return hash;
    }
}
