using ConferenceCluster.Media.Mixing;

namespace ConferenceCluster.Media.Tests.Support;

/// <summary>
/// The conference topology the backplane tests run: three locations, A with three nodes, B with one, C with two.
/// The first node of each location is its intermediary (seed L2168: local backplanes form a star to it; L2226: geo
/// backplanes join the intermediaries, here a full mesh of three), the same shape
/// ConferenceCluster.Conferencing's BackplaneTopology derives.
/// </summary>
internal static class BackplaneTestTopology
{
    public static readonly string[] Nodes = ["A1", "A2", "A3", "B1", "C1", "C2"];

    /// <summary>Node indexes of each backplane's two ends.</summary>
    public static readonly (int NodeA, int NodeB, MixRole Role)[] Links =
    [
        (0, 1, MixRole.LocalBackplane),
        (0, 2, MixRole.LocalBackplane),
        (4, 5, MixRole.LocalBackplane),
        (0, 3, MixRole.GeoBackplane),
        (0, 4, MixRole.GeoBackplane),
        (3, 4, MixRole.GeoBackplane),
    ];

    /// <summary>The node each endpoint (phone) is on: two on an intermediary, two on a leaf node, one elsewhere.</summary>
    public static readonly int[] EndpointNodes = [0, 0, 1, 2, 3, 4, 5, 5];
}
