using ConferenceCluster.Conferencing.Configuration;

namespace ConferenceCluster.Conferencing.Tests.Grains;

/// <summary>A Conferencing Node to start as a silo: its metadata says location, role and capacity.</summary>
public sealed record NodeSpec(string Name, string Location, NodeRole Role, long CapacityAudioCalls)
{
    public static NodeSpec Transcoding(string name, string location, int hdCalls) => new(name, location, NodeRole.Transcoding, hdCalls * 12L);

    public static NodeSpec Proxying(string name, string location, long audioCalls = 1000) => new(name, location, NodeRole.Proxying, audioCalls);
}

/// <summary>
/// The deployments of the seed's worked examples (seed-architecture.md section 4), shared by the grain tests and the
/// silo host's management API tests (linked into that project), so both run the same scenario data.
/// </summary>
public static class SeedScenarios
{
    public const string Conference = "meet.alice@example.com";

    public static SystemLocation Location(string name, string? transcoding = null, string? primary = null, string? secondary = null) =>
        new(name) { TranscodingLocation = transcoding, PrimaryOverflowLocation = primary, SecondaryOverflowLocation = secondary };

    /// <summary>S1 nodes (L2254): USConf02 has the most capacity and is full after Alice, Bob, Carol and its reservation (4 HD).</summary>
    public static readonly NodeSpec[] UsaNodes =
    [
        NodeSpec.Transcoding("USConf01", "USA", hdCalls: 2),
        NodeSpec.Transcoding("USConf02", "USA", hdCalls: 4),
        NodeSpec.Transcoding("USConf03", "USA", hdCalls: 3),
    ];

    public static readonly SystemLocation[] S1Locations = [Location("USA")];

    /// <summary>S2 setup (L2267–2275): USA overflows to Mexico then Canada; Mexico overflows to Brazil.</summary>
    public static readonly SystemLocation[] S2Locations =
        [Location("USA", primary: "Mexico", secondary: "Canada"), Location("Mexico", primary: "Brazil"), Location("Canada"), Location("Brazil")];

    public static readonly NodeSpec[] S2Nodes =
    [
        .. UsaNodes,
        NodeSpec.Transcoding("MexConf01", "Mexico", hdCalls: 2),
        NodeSpec.Transcoding("CanConf01", "Canada", hdCalls: 2),
        NodeSpec.Transcoding("BraConf01", "Brazil", hdCalls: 10),
    ];

    /// <summary>S3/S4 setup (L2290–2298): UStrans01 (3 HD) has more room than UStrans02 (2 HD) and is full after Alice, Bob and its reservation.</summary>
    public static readonly SystemLocation[] S3Locations =
    [
        Location("USA Proxying", transcoding: "USA Transcoding", primary: "Mexico Transcoding"),
        Location("Canada Proxying", transcoding: "Canada Transcoding", primary: "Mexico Transcoding"),
        Location("USA Transcoding"), Location("Canada Transcoding"), Location("Mexico Transcoding"),
    ];

    public static readonly NodeSpec[] S3Nodes =
    [
        NodeSpec.Proxying("USprox01", "USA Proxying"), NodeSpec.Proxying("USprox02", "USA Proxying"),
        NodeSpec.Proxying("Canprox01", "Canada Proxying"), NodeSpec.Proxying("Canprox02", "Canada Proxying"),
        NodeSpec.Transcoding("UStrans01", "USA Transcoding", hdCalls: 3), NodeSpec.Transcoding("UStrans02", "USA Transcoding", hdCalls: 2),
        NodeSpec.Transcoding("Cantrans01", "Canada Transcoding", hdCalls: 5), NodeSpec.Transcoding("MexTrans01", "Mexico Transcoding", hdCalls: 5),
    ];

    /// <summary>S5 (L740–744): two edge locations, each transcoding in its own transcoding location.</summary>
    public static readonly SystemLocation[] S5Locations =
    [
        Location("London Edge", transcoding: "London Transcoding"), Location("Oslo Edge", transcoding: "Oslo Transcoding"),
        Location("London Transcoding"), Location("Oslo Transcoding"),
    ];

    public static readonly NodeSpec[] S5Nodes =
    [
        NodeSpec.Proxying("LonEdge01", "London Edge"), NodeSpec.Proxying("LonEdge02", "London Edge"), NodeSpec.Proxying("OsloEdge01", "Oslo Edge"),
        NodeSpec.Transcoding("LonTrans01", "London Transcoding", hdCalls: 3), NodeSpec.Transcoding("LonTrans02", "London Transcoding", hdCalls: 3),
        NodeSpec.Transcoding("OsloTrans01", "Oslo Transcoding", hdCalls: 3), NodeSpec.Transcoding("OsloTrans02", "Oslo Transcoding", hdCalls: 3),
    ];
}
