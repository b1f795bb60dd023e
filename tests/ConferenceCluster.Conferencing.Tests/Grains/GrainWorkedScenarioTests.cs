using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Grains.Interfaces;

namespace ConferenceCluster.Conferencing.Tests.Grains;

/// <summary>
/// The seed's worked examples (seed-architecture.md section 4, S1–S5) through the grains on a multi-silo cluster, one
/// silo per Conferencing Node: callers dial at the node DNS gave them (their ParticipantGrain activates there), the
/// ConferenceGrain decides and reserves on the NodeGrains, and its status shows media nodes and backplanes.
/// </summary>
public class GrainWorkedScenarioTests
{
    private const string Conference = SeedScenarios.Conference;

    private static (BackplaneKind, string, string) Local(string a, string b) => (BackplaneKind.Local, Min(a, b), Max(a, b));
    private static (BackplaneKind, string, string) Geo(string a, string b) => (BackplaneKind.Geo, Min(a, b), Max(a, b));
    private static string Min(string a, string b) => string.CompareOrdinal(a, b) < 0 ? a : b;
    private static string Max(string a, string b) => string.CompareOrdinal(a, b) < 0 ? b : a;

    internal static HashSet<(BackplaneKind, string, string)> Backplanes(ConferenceStatus status) =>
        status.Backplanes.Select(b => (b.Kind, b.NodeA, b.NodeB)).ToHashSet();


    private static async Task RunS1(ConferencingTestCluster cluster)
    {
        // L2260–2261: Alice reaches USConf01; USConf02 "has the most available capacity" and gets the conference.
        var alice = await cluster.AdmitAsync("Alice", Conference, "USConf01");
        Assert.Equal(("USConf01", "USConf02", (string?)null), (alice.SignalingNode, alice.MediaNode!, alice.MediaProxyNode));
        // L2262: Bob reaches USConf02, where the conference already runs.
        Assert.Equal("USConf02", (await cluster.AdmitAsync("Bob", Conference, "USConf02")).MediaNode);
        // L2263: Carol reaches USConf03; her media goes to USConf02, which hosts and has room (R21.1).
        Assert.Equal("USConf02", (await cluster.AdmitAsync("Carol", Conference, "USConf03")).MediaNode);
        Assert.Equal(CapacityUnits.Zero, await cluster.AvailableAsync("USConf02"));
        // L2264: Dave reaches USConf01; USConf02 is out of capacity, USConf03 has the most available capacity.
        Assert.Equal("USConf03", (await cluster.AdmitAsync("Dave", Conference, "USConf01")).MediaNode);
    }

    [Fact]
    public async Task S1_locally_distributed_conference_through_the_grains_L2254_to_L2264()
    {
        await using var cluster = await ConferencingTestCluster.StartAsync(SeedScenarios.S1Locations, SeedScenarios.UsaNodes, Conference);
        await RunS1(cluster);

        var status = await cluster.Conference(Conference).GetStatus();
        Assert.Equal(
            [("Alice", "USConf01", "USConf02"), ("Bob", "USConf02", "USConf02"), ("Carol", "USConf03", "USConf02"), ("Dave", "USConf01", "USConf03")],
            status.Participants.Select(p => (p.ParticipantId, p.SignalingNode, p.MediaNode)).OrderBy(p => p.ParticipantId).ToList());
        // USConf01 only signals, so it hosts nothing (R31); a local backplane joins the two media nodes (R35).
        Assert.Equal(["USConf02", "USConf03"], status.MediaNodes.Select(m => m.Node).Order().ToList());
        Assert.Equal([Local("USConf02", "USConf03")], Backplanes(status));
        Assert.Equal("USConf02", status.Intermediaries["USA"]);

        // The ParticipantGrain of each call lives on its signalling node (prefer-local) and knows its media node.
        var dave = await cluster.GrainsOn("USConf01").GetGrain<IParticipantGrain>("Dave").GetStatus();
        Assert.Equal((CallLegState.Connected, "USConf01", "USConf03"), (dave.State, dave.SignalingNode!, dave.MediaNode!));
    }

    private static async Task<ConferencingTestCluster> GloballyDistributedAsync()
    {
        // S2 setup (L2267–2275): USA overflows to Mexico then Canada; Mexico overflows to Brazil.
        var cluster = await ConferencingTestCluster.StartAsync(SeedScenarios.S2Locations, SeedScenarios.S2Nodes, Conference);
        await RunS1(cluster);
        // L2281: "all three Conferencing Nodes in location USA have reached their capacity".
        foreach (var node in new[] { "USConf01", "USConf02", "USConf03" }) await cluster.FillAsync(node);
        return cluster;
    }

    [Fact]
    public async Task S2_globally_distributed_conference_with_overflow_through_the_grains_L2267_to_L2285()
    {
        await using var cluster = await GloballyDistributedAsync();

        // L2281: Emma on USConf01 → Mexico, USA's primary overflow location.
        Assert.Equal("MexConf01", (await cluster.AdmitAsync("Emma", Conference, "USConf01")).MediaNode);
        // L2282: Frank on MexConf01; Mexico is full → Brazil, the primary overflow of his signalling location.
        Assert.Equal(CapacityUnits.Zero, await cluster.AvailableAsync("MexConf01"));
        Assert.Equal("BraConf01", (await cluster.AdmitAsync("Frank", Conference, "MexConf01")).MediaNode);
        // L2283: Greta on USConf03; USA and Mexico full → Canada, USA's secondary overflow, though Brazil has room (R20).
        var greta = await cluster.AdmitAsync("Greta", Conference, "USConf03");
        Assert.Equal(("CanConf01", "Canada"), (greta.MediaNode!, greta.MediaLocation!));
        Assert.True(await cluster.AvailableAsync("BraConf01") > CapacityUnits.Zero);

        // One intermediary per location; geo backplanes between the intermediaries (R37, R38; full mesh, Q5).
        var status = await cluster.Conference(Conference).GetStatus();
        Assert.Equal(
            new Dictionary<string, string> { ["Brazil"] = "BraConf01", ["Canada"] = "CanConf01", ["Mexico"] = "MexConf01", ["USA"] = "USConf02" },
            status.Intermediaries.OrderBy(kv => kv.Key).ToDictionary());
        Assert.Equal(
            new[]
            {
                Local("USConf02", "USConf03"),
                Geo("BraConf01", "CanConf01"), Geo("BraConf01", "MexConf01"), Geo("BraConf01", "USConf02"),
                Geo("CanConf01", "MexConf01"), Geo("CanConf01", "USConf02"), Geo("MexConf01", "USConf02"),
            }.ToHashSet(),
            Backplanes(status));
    }

    [Fact]
    public async Task S2_negative_non_transitive_overflow_rejects_a_USA_caller_with_capacity_exceeded_while_Brazil_is_free_L2221_L2197()
    {
        await using var cluster = await GloballyDistributedAsync();
        await cluster.FillAsync("MexConf01");
        await cluster.FillAsync("CanConf01");

        // S2-neg-a: USA, Mexico and Canada are full; Brazil is not in USA's own list (R20), so "capacity exceeded" (R25).
        var ida = await cluster.DialAsync("Ida", Conference, "USConf02");
        Assert.False(ida.Accepted);
        Assert.Equal((JoinRejectionReason.CapacityExceeded, "capacity exceeded"), (ida.Rejection!.Value, ida.Message!));
        var leg = await cluster.GrainsOn("USConf02").GetGrain<IParticipantGrain>("Ida").GetStatus();
        Assert.Equal((CallLegState.Rejected, "capacity exceeded"), (leg.State, leg.DisconnectReason!));

        // S2-neg-b: a Mexico caller still gets in, on Brazil, Mexico's own overflow (L2197).
        Assert.Equal("BraConf01", (await cluster.AdmitAsync("Juan", Conference, "MexConf01")).MediaNode);
        var status = await cluster.Conference(Conference).GetStatus();
        Assert.DoesNotContain(status.Participants, p => p.ParticipantId == "Ida");
    }

    private static Task<ConferencingTestCluster> ProxiedUsaAndCanadaAsync() =>
        ConferencingTestCluster.StartAsync(SeedScenarios.S3Locations, SeedScenarios.S3Nodes, Conference);

    private static async Task RunS3(ConferencingTestCluster cluster)
    {
        // The proxy is chosen by load (R43): one other proxied call on USprox02 at first, another on USprox01 before Carol.
        await cluster.LoadFromOtherConferencesAsync("USprox02", MediaCosts.ProxiedAudioCall);

        // L2307: Alice on USprox01, which also proxies her media, to UStrans01 (most available in USA Transcoding).
        var alice = await cluster.AdmitAsync("Alice", Conference, "USprox01");
        Assert.Equal(("USprox01", "USprox01", "UStrans01"), (alice.SignalingNode, alice.MediaProxyNode!, alice.MediaNode!));
        // L2309: Bob on USprox02, the least loaded proxying node; UStrans01 hosts and has spare capacity.
        var bob = await cluster.AdmitAsync("Bob", Conference, "USprox02");
        Assert.Equal(("USprox02", "USprox02", "UStrans01"), (bob.SignalingNode, bob.MediaProxyNode!, bob.MediaNode!));

        await cluster.LoadFromOtherConferencesAsync("USprox01", MediaCosts.ProxiedVideoCall);
        // L2310: Carol on USprox02; UStrans01 has no spare capacity → UStrans02, with a local backplane UStrans01↔UStrans02.
        var carol = await cluster.AdmitAsync("Carol", Conference, "USprox02");
        Assert.Equal(("USprox02", "USprox02", "UStrans02"), (carol.SignalingNode, carol.MediaProxyNode!, carol.MediaNode!));
    }

    [Fact]
    public async Task S3_proxying_edge_nodes_forward_to_the_transcoding_location_through_the_grains_L2290_to_L2312()
    {
        await using var cluster = await ProxiedUsaAndCanadaAsync();
        await RunS3(cluster);

        var status = await cluster.Conference(Conference).GetStatus();
        Assert.Equal(["UStrans01", "UStrans02"], status.MediaNodes.Select(m => m.Node).Order().ToList());
        Assert.Equal([Local("UStrans01", "UStrans02")], Backplanes(status));

        // L2312: USA Transcoding is full now, so media goes to the signalling location's overflow, Mexico Transcoding.
        var dan = await cluster.AdmitAsync("Dan", Conference, "USprox01");
        Assert.Equal(("MexTrans01", "Mexico Transcoding"), (dan.MediaNode!, dan.MediaLocation!));
        Assert.StartsWith("USprox", dan.MediaProxyNode);
    }

    [Fact]
    public async Task S4_a_Canadian_caller_escalates_the_conference_to_globally_distributed_through_the_grains_L2314_to_L2320()
    {
        await using var cluster = await ProxiedUsaAndCanadaAsync();
        await RunS3(cluster);
        await cluster.LoadFromOtherConferencesAsync("Canprox01", MediaCosts.ProxiedVideoCall);

        // L2320: Harry reaches Canprox01; Canprox02 (least loaded) proxies his media; Cantrans01 processes it.
        var harry = await cluster.AdmitAsync("Harry", Conference, "Canprox01");
        Assert.Equal(("Canprox01", "Canprox02", "Cantrans01"), (harry.SignalingNode, harry.MediaProxyNode!, harry.MediaNode!));

        // A geo backplane UStrans01↔Cantrans01 ("Ustrans01 in this example"); the local backplane stays; no backplane touches a PEN (R40).
        var status = await cluster.Conference(Conference).GetStatus();
        Assert.Equal([Local("UStrans01", "UStrans02"), Geo("Cantrans01", "UStrans01")], Backplanes(status));
        Assert.Equal("UStrans01", status.Intermediaries["USA Transcoding"]);
        Assert.DoesNotContain(status.Backplanes, b => b.NodeA.Contains("prox") || b.NodeB.Contains("prox"));
        // The proxies carry the proxying cost (R59): Harry's video call costs Canprox02 three audio calls.
        Assert.Equal(MediaCosts.ProxiedVideoCall, (await cluster.Node("Canprox02").GetStatus()).Load);
    }

    [Fact]
    public async Task S5_edge_locations_take_no_part_in_distribution_through_the_grains_L740_to_L744()
    {
        await using var cluster = await ConferencingTestCluster.StartAsync(SeedScenarios.S5Locations, SeedScenarios.S5Nodes, Conference);

        // Four London callers fill both London nodes (2 calls + reservation each); four Oslo callers both Oslo nodes.
        for (var i = 0; i < 4; i++) await cluster.AdmitAsync($"london{i}", Conference, i % 2 == 0 ? "LonEdge01" : "LonEdge02");
        for (var i = 0; i < 4; i++) await cluster.AdmitAsync($"oslo{i}", Conference, "OsloEdge01");

        var status = await cluster.Conference(Conference).GetStatus();
        Assert.Equal(["LonTrans01", "LonTrans02", "OsloTrans01", "OsloTrans02"], status.MediaNodes.Select(m => m.Node).Order().ToList());
        // A local backplane inside each transcoding location, exactly one geo backplane between them (L740–744).
        Assert.Equal(2, status.Backplanes.Count(b => b.Kind == BackplaneKind.Local));
        var geo = Assert.Single(status.Backplanes, b => b.Kind == BackplaneKind.Geo);
        Assert.Equal(("London Transcoding", "Oslo Transcoding"), (geo.LocationA, geo.LocationB));
        // The edge locations host no media and are in no backplane.
        Assert.Equal(["London Transcoding", "Oslo Transcoding"], status.Intermediaries.Keys.Order().ToList());
        Assert.DoesNotContain(status.Backplanes, b => b.NodeA.Contains("Edge") || b.NodeB.Contains("Edge"));
        Assert.All(status.Participants, p => Assert.Contains("Edge", p.MediaProxyNode));
    }
}
