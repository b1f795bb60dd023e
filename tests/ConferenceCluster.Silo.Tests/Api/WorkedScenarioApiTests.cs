using System.Net;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Tests.Grains;

namespace ConferenceCluster.Silo.Tests.Api;

/// <summary>
/// The seed's worked examples (seed-architecture.md section 4, S1–S5 and S7) end to end through the silo host: one
/// in-process SiloHost per Conferencing Node, locations configured through the configuration API, calls arriving at
/// their signalling node's gateway, and where media went read back from the status API (participant, backplane,
/// worker_vm). The deployments are <see cref="SeedScenarios"/>, the same data the grain tests run.
/// </summary>
public class WorkedScenarioApiTests
{
    private const string Conference = SeedScenarios.Conference;

    private static (string, string, string) Local(string a, string b) => ApiTestCluster.Backplane("local", a, b);
    private static (string, string, string) Geo(string a, string b) => ApiTestCluster.Backplane("geo", a, b);

    private static async Task RunS1(ApiTestCluster cluster)
    {
        // L2260–2261: Alice reaches USConf01; USConf02 "has the most available capacity" and gets the conference.
        await cluster.AdmitAsync("Alice", Conference, "USConf01");
        Assert.Equal(("USConf01", null, "USConf02"), await cluster.PlacementOfAsync("Alice"));
        // L2262: Bob reaches USConf02, where the conference already runs.
        await cluster.AdmitAsync("Bob", Conference, "USConf02");
        Assert.Equal(("USConf02", null, "USConf02"), await cluster.PlacementOfAsync("Bob"));
        // L2263: Carol reaches USConf03; her media goes to USConf02, which hosts and has room (R21.1).
        await cluster.AdmitAsync("Carol", Conference, "USConf03");
        Assert.Equal(("USConf03", null, "USConf02"), await cluster.PlacementOfAsync("Carol"));
        // L2264: Dave reaches USConf01; USConf02 is out of capacity, USConf03 has the most available capacity.
        await cluster.AdmitAsync("Dave", Conference, "USConf01");
        Assert.Equal(("USConf01", null, "USConf03"), await cluster.PlacementOfAsync("Dave"));
    }

    [Fact]
    public async Task S1_locally_distributed_conference_through_the_management_API_L2254_to_L2264()
    {
        await using var cluster = await ApiTestCluster.StartAsync("api-s1", SeedScenarios.UsaNodes, SeedScenarios.S1Locations, Conference);
        await RunS1(cluster);

        // USConf01 only signals; a local backplane joins the two media nodes (R35).
        Assert.Equal([Local("USConf02", "USConf03")], await cluster.BackplanesAsync());
        var backplane = Assert.Single((await cluster.GetAsync("/api/admin/status/v1/backplane/")).GetProperty("objects").EnumerateArray());
        Assert.Equal((Conference, "USA", "USA"), (backplane.GetProperty("conference").GetString(),
            backplane.GetProperty("system_location").GetString(), backplane.GetProperty("remote_system_location").GetString()));

        var conference = Assert.Single((await cluster.GetAsync("/api/admin/status/v1/conference/")).GetProperty("objects").EnumerateArray());
        Assert.Equal((Conference, 4, "conference"), (conference.GetProperty("name").GetString(),
            conference.GetProperty("participant_count").GetInt32(), conference.GetProperty("service_type").GetString()));
        Assert.False(conference.GetProperty("is_locked").GetBoolean());

        var dave = (await cluster.ParticipantsAsync())["Dave"];
        Assert.Equal((Conference, "chair", "video", "USA"), (dave.GetProperty("conference").GetString(), dave.GetProperty("role").GetString(),
            dave.GetProperty("call_type").GetString(), dave.GetProperty("system_location").GetString()));
        // USConf02 is full: 3 HD calls and the 1 HD backplane reservation of 4 HD (R54).
        var usconf02 = await cluster.GetAsync("/api/admin/status/v1/worker_vm/USConf02/");
        Assert.Equal((100, 4L, false), (usconf02.GetProperty("media_load").GetInt32(), usconf02.GetProperty("max_hd_calls").GetInt64(),
            usconf02.GetProperty("maintenance_mode").GetBoolean()));
        var usa = await cluster.GetAsync("/api/admin/status/v1/system_location/USA/");
        Assert.Equal((3, 9L), (usa.GetProperty("transcoding_nodes").GetInt32(), usa.GetProperty("max_hd_calls").GetInt64()));
    }

    [Fact]
    public async Task S1_operator_commands_end_calls_and_history_records_them_L2254_to_L2264()
    {
        await using var cluster = await ApiTestCluster.StartAsync("api-s1-history", SeedScenarios.UsaNodes, SeedScenarios.S1Locations, Conference);
        await RunS1(cluster);

        await cluster.SendAsync(HttpMethod.Post, "/api/admin/command/v1/participant/disconnect/", new { participant_id = "Dave" }, HttpStatusCode.Accepted);
        Assert.Equal(["Alice", "Bob", "Carol"], (await cluster.ParticipantsAsync()).Keys.Order());
        // Dave's media node stopped hosting, so the backplane went with him.
        Assert.Empty(await cluster.BackplanesAsync());
        await cluster.SendAsync(HttpMethod.Post, "/api/admin/command/v1/participant/disconnect/", new { participant_id = "Dave" }, HttpStatusCode.NotFound);

        await cluster.SendAsync(HttpMethod.Post, "/api/admin/command/v1/conference/disconnect/", new { conference_id = Conference }, HttpStatusCode.Accepted);
        Assert.Empty(await cluster.ParticipantsAsync());
        Assert.Equal(0, (await cluster.GetAsync("/api/admin/status/v1/conference/")).GetProperty("meta").GetProperty("total_count").GetInt32());

        // History is written as calls end; newest first.
        async Task<int> Count(string path) => (await cluster.GetAsync(path)).GetProperty("meta").GetProperty("total_count").GetInt32();
        await Eventually.TrueAsync(async () => await Count("/api/admin/history/v1/participant/") == 4 && await Count("/api/admin/history/v1/conference/") == 1,
            "4 participant records and 1 conference record");
        var calls = (await cluster.GetAsync("/api/admin/history/v1/participant/")).GetProperty("objects").EnumerateArray().ToList();
        Assert.Equal("Dave", calls[^1].GetProperty("participant_id").GetString());
        Assert.Equal(("USConf01", "USConf03", "USA"), (calls[^1].GetProperty("node").GetString(), calls[^1].GetProperty("media_node").GetString(),
            calls[^1].GetProperty("system_location").GetString()));
        Assert.All(calls, c => Assert.Equal("Disconnected by an administrator", c.GetProperty("disconnect_reason").GetString()));
        Assert.True(calls.Zip(calls.Skip(1)).All(p => p.First.GetProperty("end_time").GetDateTimeOffset() >= p.Second.GetProperty("end_time").GetDateTimeOffset()));
        var record = (await cluster.GetAsync($"/api/admin/history/v1/conference/?name={Uri.EscapeDataString(Conference)}")).GetProperty("objects")[0];
        Assert.Equal(4, record.GetProperty("participant_count").GetInt32());
        Assert.Equal(["USConf01", "USConf02", "USConf03"], record.GetProperty("nodes_used").EnumerateArray().Select(n => n.GetString()!).Order());
        Assert.Single((await cluster.GetAsync("/api/admin/history/v1/participant/?conference_name=" + Uri.EscapeDataString(Conference) + "&participant_id=Alice"))
            .GetProperty("objects").EnumerateArray());
    }

    private static async Task<ApiTestCluster> GloballyDistributedAsync(string clusterId)
    {
        var cluster = await ApiTestCluster.StartAsync(clusterId, SeedScenarios.S2Nodes, SeedScenarios.S2Locations, Conference);
        await RunS1(cluster);
        // L2281: "all three Conferencing Nodes in location USA have reached their capacity".
        foreach (var node in new[] { "USConf01", "USConf02", "USConf03" }) await cluster.FillAsync(node);
        return cluster;
    }

    [Fact]
    public async Task S2_globally_distributed_conference_with_overflow_through_the_management_API_L2267_to_L2285()
    {
        await using var cluster = await GloballyDistributedAsync("api-s2");

        // L2281: Emma on USConf01 → Mexico, USA's primary overflow location.
        await cluster.AdmitAsync("Emma", Conference, "USConf01");
        Assert.Equal(("USConf01", null, "MexConf01"), await cluster.PlacementOfAsync("Emma"));
        // L2282: Frank on MexConf01; Mexico is full → Brazil, the primary overflow of his signalling location.
        await cluster.AdmitAsync("Frank", Conference, "MexConf01");
        Assert.Equal(("MexConf01", null, "BraConf01"), await cluster.PlacementOfAsync("Frank"));
        // L2283: Greta on USConf03; USA and Mexico full → Canada, USA's secondary overflow, though Brazil has room (R20).
        await cluster.AdmitAsync("Greta", Conference, "USConf03");
        Assert.Equal(("USConf03", null, "CanConf01"), await cluster.PlacementOfAsync("Greta"));
        Assert.Equal("Canada", (await cluster.ParticipantsAsync())["Greta"].GetProperty("system_location").GetString());

        // One intermediary per location; geo backplanes between the intermediaries (R37, R38; full mesh, Q5).
        Assert.Equal(
            new[]
            {
                Local("USConf02", "USConf03"),
                Geo("BraConf01", "CanConf01"), Geo("BraConf01", "MexConf01"), Geo("BraConf01", "USConf02"),
                Geo("CanConf01", "MexConf01"), Geo("CanConf01", "USConf02"), Geo("MexConf01", "USConf02"),
            }.ToHashSet(),
            await cluster.BackplanesAsync());
    }

    [Fact]
    public async Task S2_negative_non_transitive_overflow_rejects_a_USA_caller_while_Brazil_is_free_through_the_management_API_L2221_L2197()
    {
        await using var cluster = await GloballyDistributedAsync("api-s2-neg");
        await cluster.FillAsync("MexConf01");
        await cluster.FillAsync("CanConf01");

        // S2-neg-a: USA, Mexico and Canada are full; Brazil is not in USA's own list (R20), so "capacity exceeded" (R25).
        var ida = await cluster.DialAsync("Ida", Conference, "USConf02");
        Assert.Equal((false, "capacity exceeded"), (ida.Accepted, ida.Message!));
        Assert.DoesNotContain("Ida", (await cluster.ParticipantsAsync()).Keys);
        // S2-neg-b: a Mexico caller still gets in, on Brazil, Mexico's own overflow (L2197).
        await cluster.AdmitAsync("Juan", Conference, "MexConf01");
        Assert.Equal(("MexConf01", null, "BraConf01"), await cluster.PlacementOfAsync("Juan"));
    }

    private static async Task RunS3(ApiTestCluster cluster)
    {
        // The proxy is chosen by load (R43): one other proxied call on USprox02 at first, another on USprox01 before Carol.
        await cluster.LoadFromOtherConferencesAsync("USprox02", MediaCosts.ProxiedAudioCall);
        // L2307: Alice on USprox01, which also proxies her media, to UStrans01 (most available in USA Transcoding).
        await cluster.AdmitAsync("Alice", Conference, "USprox01");
        Assert.Equal(("USprox01", "USprox01", "UStrans01"), await cluster.PlacementOfAsync("Alice"));
        // L2309: Bob on USprox02, the least loaded proxying node; UStrans01 hosts and has spare capacity.
        await cluster.AdmitAsync("Bob", Conference, "USprox02");
        Assert.Equal(("USprox02", "USprox02", "UStrans01"), await cluster.PlacementOfAsync("Bob"));
        await cluster.LoadFromOtherConferencesAsync("USprox01", MediaCosts.ProxiedVideoCall);
        // L2310: Carol on USprox02; UStrans01 has no spare capacity → UStrans02, with a local backplane UStrans01↔UStrans02.
        await cluster.AdmitAsync("Carol", Conference, "USprox02");
        Assert.Equal(("USprox02", "USprox02", "UStrans02"), await cluster.PlacementOfAsync("Carol"));
    }

    [Fact]
    public async Task S3_proxying_edge_nodes_forward_to_the_transcoding_location_through_the_management_API_L2290_to_L2312()
    {
        await using var cluster = await ApiTestCluster.StartAsync("api-s3", SeedScenarios.S3Nodes, SeedScenarios.S3Locations, Conference);
        await RunS3(cluster);
        Assert.Equal([Local("UStrans01", "UStrans02")], await cluster.BackplanesAsync());

        // L2312: USA Transcoding is full now, so media goes to the signalling location's overflow, Mexico Transcoding.
        await cluster.AdmitAsync("Dan", Conference, "USprox01");
        var dan = (await cluster.ParticipantsAsync())["Dan"];
        Assert.Equal(("MexTrans01", "Mexico Transcoding"), (dan.GetProperty("media_node").GetString()!, dan.GetProperty("system_location").GetString()!));
        Assert.StartsWith("USprox", dan.GetProperty("proxy_node").GetString());
    }

    [Fact]
    public async Task S4_a_Canadian_caller_escalates_the_conference_to_globally_distributed_through_the_management_API_L2314_to_L2320()
    {
        await using var cluster = await ApiTestCluster.StartAsync("api-s4", SeedScenarios.S3Nodes, SeedScenarios.S3Locations, Conference);
        await RunS3(cluster);
        await cluster.LoadFromOtherConferencesAsync("Canprox01", MediaCosts.ProxiedVideoCall);

        // L2320: Harry reaches Canprox01; Canprox02 (least loaded) proxies his media; Cantrans01 processes it.
        await cluster.AdmitAsync("Harry", Conference, "Canprox01");
        Assert.Equal(("Canprox01", "Canprox02", "Cantrans01"), await cluster.PlacementOfAsync("Harry"));
        // A geo backplane UStrans01↔Cantrans01; the local backplane stays; no backplane touches a PEN (R40).
        Assert.Equal([Local("UStrans01", "UStrans02"), Geo("Cantrans01", "UStrans01")], await cluster.BackplanesAsync());
        // The proxies carry the proxying cost (R59): Harry's video call costs Canprox02 three audio calls.
        Assert.Equal(MediaCosts.ProxiedVideoCall.Value, await cluster.LoadUnitsAsync("Canprox02"));
    }

    [Fact]
    public async Task S5_edge_locations_take_no_part_in_distribution_through_the_management_API_L740_to_L744()
    {
        await using var cluster = await ApiTestCluster.StartAsync("api-s5", SeedScenarios.S5Nodes, SeedScenarios.S5Locations, Conference);

        // Four London callers fill both London nodes (2 calls + reservation each); four Oslo callers both Oslo nodes.
        for (var i = 0; i < 4; i++) await cluster.AdmitAsync($"london{i}", Conference, i % 2 == 0 ? "LonEdge01" : "LonEdge02");
        for (var i = 0; i < 4; i++) await cluster.AdmitAsync($"oslo{i}", Conference, "OsloEdge01");

        var participants = await cluster.ParticipantsAsync();
        Assert.Equal(["LonTrans01", "LonTrans02", "OsloTrans01", "OsloTrans02"],
            participants.Values.Select(p => p.GetProperty("media_node").GetString()!).Distinct().Order());
        Assert.All(participants.Values, p => Assert.Contains("Edge", p.GetProperty("proxy_node").GetString()));
        // A local backplane inside each transcoding location, exactly one geo backplane between them; no edge node in any.
        var backplanes = await cluster.BackplanesAsync();
        Assert.Equal(2, backplanes.Count(b => b.Type == "local"));
        Assert.Single(backplanes, b => b.Type == "geo");
        Assert.DoesNotContain(backplanes, b => b.NodeA.Contains("Edge") || b.NodeB.Contains("Edge"));
        var geo = Assert.Single((await cluster.GetAsync("/api/admin/status/v1/backplane/?type=geo")).GetProperty("objects").EnumerateArray());
        Assert.Equal(["London Transcoding", "Oslo Transcoding"],
            new[] { geo.GetProperty("system_location").GetString()!, geo.GetProperty("remote_system_location").GetString()! }.Order());
    }

    [Fact]
    public async Task S7_capacity_arithmetic_shows_in_the_worker_vm_load_L1175_to_L1215()
    {
        // An edge location proxying to a core of two transcoding nodes (two, so backplane reservations apply, L1199).
        await using var cluster = await ApiTestCluster.StartAsync("api-s7",
            [NodeSpec.Transcoding("Core01", "Core", hdCalls: 20), NodeSpec.Transcoding("Core02", "Core", hdCalls: 20), NodeSpec.Proxying("Edge01", "Edge")],
            [SeedScenarios.Location("Edge", transcoding: "Core"), SeedScenarios.Location("Core")]);
        await cluster.CreateConferenceAsync("s7", new { max_pixels_per_second = "fullhd" });
        await cluster.RefreshConfigurationAsync();

        const long Hd = CapacityUnits.PerHdCall;
        // S7.1 and S7.5: the first Full HD call costs 2.0 HD, and its node reserves 2.0 HD for a Full HD conference's backplane.
        await cluster.AdmitAsync("fullhd", "s7", "Core01", CallMedia.VideoAt(MaximumCallQuality.FullHd));
        var media = (await cluster.PlacementOfAsync("fullhd")).MediaNode;
        Assert.Equal(2 * Hd + 2 * Hd, await cluster.LoadUnitsAsync(media));

        async Task AssertCosts(string participant, string signalingNode, CallMedia call, long transcoding, long proxying = 0)
        {
            var (mediaBefore, edgeBefore) = (await cluster.LoadUnitsAsync(media), await cluster.LoadUnitsAsync("Edge01"));
            await cluster.AdmitAsync(participant, "s7", signalingNode, call);
            Assert.Equal(media, (await cluster.PlacementOfAsync(participant)).MediaNode);
            Assert.Equal((transcoding, proxying), (await cluster.LoadUnitsAsync(media) - mediaBefore, await cluster.LoadUnitsAsync("Edge01") - edgeBefore));
        }

        // S7.1: HD 1.0, SD 0.5, audio-only 1/12.
        await AssertCosts("hd", "Core01", CallMedia.VideoAt(MaximumCallQuality.Hd), Hd);
        await AssertCosts("sd", "Core01", CallMedia.VideoAt(MaximumCallQuality.Sd), Hd / 2);
        await AssertCosts("audio", "Core01", CallMedia.Audio, Hd / 12);
        // S7.2: VP9 720p 1.25, VP8 720p 1.0.
        await AssertCosts("vp9", "Core01", CallMedia.VideoAt(MaximumCallQuality.Hd, VideoCodec.Vp9), Hd * 5 / 4);
        await AssertCosts("vp8", "Core01", CallMedia.VideoAt(MaximumCallQuality.Hd, VideoCodec.Vp8), Hd);
        // S7.3: a WebRTC HD participant sending presentation 1.5; receiving full-motion presentation 2.0.
        await AssertCosts("webrtc-sends", "Core01", new CallMedia(EndpointMaximumQuality: MaximumCallQuality.Hd, SendsPresentation: true), Hd * 3 / 2);
        await AssertCosts("webrtc-receives", "Core01", new CallMedia(EndpointMaximumQuality: MaximumCallQuality.Hd, ReceivesFullMotionPresentation: true), 2 * Hd);
        // S7.4: proxying an HD video call costs the PEN 3 × 1/12, an audio call 1/12; the TCN pays as for a direct call (R59).
        await AssertCosts("proxied-video", "Edge01", CallMedia.VideoAt(MaximumCallQuality.Hd), Hd, 3 * Hd / 12);
        await AssertCosts("proxied-audio", "Edge01", CallMedia.Audio, Hd / 12, Hd / 12);

        var audio = (await cluster.ParticipantsAsync())["proxied-audio"];
        Assert.Equal(("audio", "Edge01"), (audio.GetProperty("call_type").GetString(), audio.GetProperty("proxy_node").GetString()));
    }
}
