using ConferenceCluster.Conferencing.Allocation;
using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;

namespace ConferenceCluster.Conferencing.Tests;

/// <summary>
/// The seed's worked examples (seed-architecture.md section 4, S1–S5), step by step: which node keeps each
/// participant's signalling, which carries the media, and which backplanes exist.
/// </summary>
public class WorkedScenarioTests
{
    private const string Conference = "meet.alice@example.com";

    private static Backplane Local(string a, string b) => Backplane.Between(a, b, BackplaneKind.Local);
    private static Backplane Geo(string a, string b) => Backplane.Between(a, b, BackplaneKind.Geo);

    /// <summary>
    /// S1 setup (seed L2254–2264): location USA with USConf01/02/03, transcoding in This location. Capacities make
    /// USConf02 the node with most available capacity at first, full after Alice + Bob + Carol + the backplane
    /// reservation (4 HD), and USConf03 (3 HD) freer than USConf01 (2 HD) when Dave calls.
    /// </summary>
    private static SimulatedCluster LocallyDistributedUsa() => new SimulatedCluster()
        .Location("USA")
        .Transcoding("USConf01", "USA", hdCalls: 2)
        .Transcoding("USConf02", "USA", hdCalls: 4)
        .Transcoding("USConf03", "USA", hdCalls: 3);

    private static void RunS1(SimulatedCluster cluster)
    {
        // L2260–2261: Alice reaches USConf01; USConf02 "has the most available capacity" and gets the conference.
        var alice = cluster.Admit(Conference, "Alice", "USConf01");
        Assert.Equal(("USConf01", "USConf02", (string?)null), (alice.SignalingNode, alice.TranscodingNode, alice.MediaProxyNode));
        Assert.True(alice.StartsHosting);

        // L2262: Bob reaches USConf02, where the conference already runs.
        var bob = cluster.Admit(Conference, "Bob", "USConf02");
        Assert.Equal(("USConf02", "USConf02"), (bob.SignalingNode, bob.TranscodingNode));

        // L2263: Carol reaches USConf03; her media goes to USConf02, which hosts the conference and has room.
        var carol = cluster.Admit(Conference, "Carol", "USConf03");
        Assert.Equal(("USConf03", "USConf02"), (carol.SignalingNode, carol.TranscodingNode));
        Assert.Equal(CapacityUnits.Zero, cluster.Available("USConf02"));

        // L2264: Dave reaches USConf01; USConf02 is out of capacity and USConf03 has the most available capacity.
        var dave = cluster.Admit(Conference, "Dave", "USConf01");
        Assert.Equal(("USConf01", "USConf03"), (dave.SignalingNode, dave.TranscodingNode));
    }

    [Fact]
    public void S1_locally_distributed_conference_L2254_to_L2264()
    {
        var cluster = LocallyDistributedUsa();
        RunS1(cluster);

        var placement = cluster.Conferences[Conference];
        Assert.Equal(["USConf02", "USConf03"], placement.HostingNodes.Keys);
        // USConf01 handles signalling for Alice and Dave but processes no media, so it neither hosts nor counts (R31).
        Assert.False(placement.IsHosting("USConf01"));
        Assert.Equal([Local("USConf02", "USConf03")], placement.Backplanes.Backplanes);
        Assert.Equal("USConf02", placement.Backplanes.Intermediaries["USA"]);
    }

    /// <summary>S2 setup (seed L2267–2275): USA overflows to Mexico then Canada; Mexico overflows to Brazil.</summary>
    private static SimulatedCluster GloballyDistributed()
    {
        var cluster = LocallyDistributedUsa()
            .Location("USA", transcoding: null, primary: "Mexico", secondary: "Canada")
            .Location("Mexico", transcoding: null, primary: "Brazil")
            .Location("Canada")
            .Location("Brazil")
            .Transcoding("MexConf01", "Mexico", hdCalls: 2)
            .Transcoding("CanConf01", "Canada", hdCalls: 2)
            .Transcoding("BraConf01", "Brazil", hdCalls: 10);
        RunS1(cluster);
        // L2281: "all three Conferencing Nodes in location USA have reached their capacity".
        foreach (var node in new[] { "USConf01", "USConf02", "USConf03" }) cluster.FillWithOtherConferences(node);
        return cluster;
    }

    [Fact]
    public void S2_globally_distributed_conference_with_overflow_L2267_to_L2285()
    {
        var cluster = GloballyDistributed();

        // L2281: Emma on USConf01; USA is full, so Mexico, USA's primary overflow location.
        var emma = cluster.Admit(Conference, "Emma", "USConf01");
        Assert.Equal(("USConf01", "MexConf01", MediaLocationRole.PrimaryOverflowLocation),
            (emma.SignalingNode, emma.TranscodingNode, emma.LocationRole));

        // L2282: Frank on MexConf01; Mexico is full, so Brazil, the primary overflow of *Mexico*, his signalling location.
        Assert.Equal(CapacityUnits.Zero, cluster.Available("MexConf01"));
        var frank = cluster.Admit(Conference, "Frank", "MexConf01");
        Assert.Equal(("MexConf01", "BraConf01"), (frank.SignalingNode, frank.TranscodingNode));

        // L2283: Greta on USConf03; USA and Mexico are full, so Canada, USA's secondary overflow location.
        // Brazil has spare capacity but is not an overflow location of USA (R20, L2221).
        var greta = cluster.Admit(Conference, "Greta", "USConf03");
        Assert.Equal(("USConf03", "CanConf01", MediaLocationRole.SecondaryOverflowLocation),
            (greta.SignalingNode, greta.TranscodingNode, greta.LocationRole));
        Assert.True(cluster.Available("BraConf01") > CapacityUnits.Zero);

        // One intermediary per location, a star inside USA, a full mesh of geo backplanes between intermediaries (R37, R38, Q5).
        var topology = cluster.Conferences[Conference].Backplanes;
        Assert.Equal(
            new Dictionary<string, string> { ["Brazil"] = "BraConf01", ["Canada"] = "CanConf01", ["Mexico"] = "MexConf01", ["USA"] = "USConf02" },
            topology.Intermediaries);
        Assert.Equal(
            new[]
            {
                Local("USConf02", "USConf03"),
                Geo("BraConf01", "CanConf01"), Geo("BraConf01", "MexConf01"), Geo("BraConf01", "USConf02"),
                Geo("CanConf01", "MexConf01"), Geo("CanConf01", "USConf02"), Geo("MexConf01", "USConf02"),
            }.ToHashSet(),
            topology.Backplanes.ToHashSet());
    }

    [Fact]
    public void S2_negative_overflow_is_not_transitive_so_a_USA_caller_is_rejected_while_Brazil_is_free_L2221_L2197()
    {
        var cluster = GloballyDistributed();
        cluster.FillWithOtherConferences("MexConf01");
        cluster.FillWithOtherConferences("CanConf01");

        var ida = Assert.IsType<MediaRejected>(cluster.Join(Conference, "Ida", "USConf02"));
        Assert.Equal(MediaRejectionReason.CapacityExceeded, ida.Reason);
        Assert.Equal("capacity exceeded", ida.UserMessage);

        // S2-neg-b: the same conference still admits a Mexico caller, whose own overflow is Brazil (L2197).
        var juan = cluster.Admit(Conference, "Juan", "MexConf01");
        Assert.Equal("BraConf01", juan.TranscodingNode);
    }

    /// <summary>
    /// S3 setup (seed L2290–2298): proxying locations whose transcoding happens elsewhere. UStrans01 (3 HD) has more
    /// capacity than UStrans02 (2 HD), and is full after Alice, Bob and its backplane reservation.
    /// </summary>
    private static SimulatedCluster ProxiedUsaAndCanada() => new SimulatedCluster()
        .Location("USA Proxying", transcoding: "USA Transcoding", primary: "Mexico Transcoding")
        .Location("Canada Proxying", transcoding: "Canada Transcoding", primary: "Mexico Transcoding")
        .Location("USA Transcoding")
        .Location("Canada Transcoding")
        .Location("Mexico Transcoding")
        .Proxying("USprox01", "USA Proxying")
        .Proxying("USprox02", "USA Proxying")
        .Proxying("Canprox01", "Canada Proxying")
        .Proxying("Canprox02", "Canada Proxying")
        .Transcoding("UStrans01", "USA Transcoding", hdCalls: 3)
        .Transcoding("UStrans02", "USA Transcoding", hdCalls: 2)
        .Transcoding("Cantrans01", "Canada Transcoding", hdCalls: 5)
        .Transcoding("MexTrans01", "Mexico Transcoding", hdCalls: 5);

    private static void RunS3(SimulatedCluster cluster)
    {
        // Proxy choice is by load (R43), so the test arranges the loads the seed's narrative implies: one other
        // proxied call on USprox02 at first, and another arriving on USprox01 before Carol calls.
        cluster.LoadFromOtherConferences("USprox02", MediaCosts.ProxiedAudioCall);

        // L2307: Alice on USprox01, which also proxies her media, to UStrans01, the most available node of USA Transcoding.
        var alice = cluster.Admit(Conference, "Alice", "USprox01");
        Assert.Equal(("USprox01", "USprox01", "UStrans01"), (alice.SignalingNode, alice.MediaProxyNode!, alice.TranscodingNode));

        // L2309: Bob on USprox02, the least loaded proxying node; UStrans01 hosts the conference and has spare capacity.
        var bob = cluster.Admit(Conference, "Bob", "USprox02");
        Assert.Equal(("USprox02", "USprox02", "UStrans01"), (bob.SignalingNode, bob.MediaProxyNode!, bob.TranscodingNode));

        cluster.LoadFromOtherConferences("USprox01", MediaCosts.ProxiedVideoCall);

        // L2310: Carol on USprox02; UStrans01 has no spare capacity, so UStrans02, and a local backplane between them.
        var carol = cluster.Admit(Conference, "Carol", "USprox02");
        Assert.Equal(("USprox02", "USprox02", "UStrans02"), (carol.SignalingNode, carol.MediaProxyNode!, carol.TranscodingNode));
        Assert.Equal([Local("UStrans01", "UStrans02")], cluster.LastChange!.Backplanes.ToCreate);
    }

    [Fact]
    public void S3_proxying_edge_nodes_forward_to_the_transcoding_location_L2290_to_L2312()
    {
        var cluster = ProxiedUsaAndCanada();
        RunS3(cluster);

        var placement = cluster.Conferences[Conference];
        Assert.Equal(["UStrans01", "UStrans02"], placement.HostingNodes.Keys);
        Assert.Equal([Local("UStrans01", "UStrans02")], placement.Backplanes.Backplanes);

        // L2312: once USA Transcoding is full, media goes to the signalling location's overflow, Mexico Transcoding.
        var dan = cluster.Admit(Conference, "Dan", "USprox01");
        Assert.Equal(("USA Proxying", "MexTrans01", MediaLocationRole.PrimaryOverflowLocation),
            (cluster.Nodes[dan.MediaProxyNode!].SystemLocation, dan.TranscodingNode, dan.LocationRole));
    }

    [Fact]
    public void S4_a_Canadian_caller_escalates_the_conference_to_globally_distributed_L2314_to_L2320()
    {
        var cluster = ProxiedUsaAndCanada();
        RunS3(cluster);
        cluster.LoadFromOtherConferences("Canprox01", MediaCosts.ProxiedVideoCall);

        // L2320: Harry reaches Canprox01; Canprox02 proxies his media (least loaded), Cantrans01 processes it.
        var harry = cluster.Admit(Conference, "Harry", "Canprox01");
        Assert.Equal(("Canprox01", "Canprox02", "Cantrans01"), (harry.SignalingNode, harry.MediaProxyNode!, harry.TranscodingNode));
        // R51: Harry's proxy forwards only into Canada Proxying's own media locations.
        Assert.Equal("Canada Transcoding", harry.TranscodingLocation);

        // A geo backplane UStrans01 <-> Cantrans01 ("Ustrans01 in this example"); the local backplane stays.
        var change = cluster.LastChange!;
        Assert.Equal([Geo("Cantrans01", "UStrans01")], change.Backplanes.ToCreate);
        Assert.Empty(change.Backplanes.ToRemove);
        Assert.Equal([new IntermediaryChange("Canada Transcoding", null, "Cantrans01")], change.Backplanes.IntermediaryChanges);

        var topology = cluster.Conferences[Conference].Backplanes;
        Assert.Equal("UStrans01", topology.Intermediaries["USA Transcoding"]);
        Assert.Equal([Local("UStrans01", "UStrans02"), Geo("Cantrans01", "UStrans01")], topology.Backplanes);
        // R40: no backplane touches a proxying edge node.
        Assert.DoesNotContain(topology.Backplanes, b => cluster.Nodes[b.NodeA].Role == NodeRole.Proxying || cluster.Nodes[b.NodeB].Role == NodeRole.Proxying);
    }

    [Fact]
    public void S5_edge_locations_take_no_part_in_distribution_L740_to_L744()
    {
        var cluster = new SimulatedCluster()
            .Location("London Edge", transcoding: "London Transcoding")
            .Location("Oslo Edge", transcoding: "Oslo Transcoding")
            .Location("London Transcoding")
            .Location("Oslo Transcoding")
            .Proxying("LonEdge01", "London Edge")
            .Proxying("LonEdge02", "London Edge")
            .Proxying("OsloEdge01", "Oslo Edge")
            .Transcoding("LonTrans01", "London Transcoding", hdCalls: 3)
            .Transcoding("LonTrans02", "London Transcoding", hdCalls: 3)
            .Transcoding("LonTrans03", "London Transcoding", hdCalls: 3)
            .Transcoding("OsloTrans01", "Oslo Transcoding", hdCalls: 3)
            .Transcoding("OsloTrans02", "Oslo Transcoding", hdCalls: 3);

        // Six London callers fill LonTrans01..03 (each 2 calls + reservation); four Oslo callers fill both Oslo nodes.
        for (var i = 0; i < 6; i++) cluster.Admit(Conference, $"london{i}", i % 2 == 0 ? "LonEdge01" : "LonEdge02");
        for (var i = 0; i < 4; i++) cluster.Admit(Conference, $"oslo{i}", "OsloEdge01");

        var placement = cluster.Conferences[Conference];
        Assert.Equal(["LonTrans01", "LonTrans02", "LonTrans03", "OsloTrans01", "OsloTrans02"], placement.HostingNodes.Keys);
        var topology = placement.Backplanes;
        // A star per location: two local backplanes in London (three nodes), one in Oslo (two nodes).
        Assert.Equal(3, topology.Backplanes.Count(b => b.Kind == BackplaneKind.Local));
        // Exactly one geo backplane, between one London Transcoding node and one Oslo Transcoding node.
        var geo = Assert.Single(topology.Backplanes, b => b.Kind == BackplaneKind.Geo);
        Assert.Equal(Geo("LonTrans01", "OsloTrans01"), geo);
        // The edge locations host nothing and are in no backplane.
        Assert.Equal(["London Transcoding", "Oslo Transcoding"], topology.Intermediaries.Keys);
        Assert.DoesNotContain(topology.Backplanes, b => b.NodeA.Contains("Edge") || b.NodeB.Contains("Edge"));
    }
}
