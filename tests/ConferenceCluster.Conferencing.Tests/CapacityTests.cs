using ConferenceCluster.Conferencing.Allocation;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;

namespace ConferenceCluster.Conferencing.Tests;

/// <summary>Scenario S7 (seed L1175–1200) and the exact-integer capacity model.</summary>
public class CapacityTests
{
    private static readonly ConferenceMediaPolicy Hd = ConferenceMediaPolicy.HdWithPresentation;
    private static readonly ConferenceMediaPolicy FullHd = new(MaximumCallQuality.FullHd, ConferenceCapabilities.MainVideoAndPresentation);
    private static readonly ConferenceMediaPolicy Sd = new(MaximumCallQuality.Sd, ConferenceCapabilities.MainVideoAndPresentation);
    private static readonly ConferenceMediaPolicy AudioOnlyRoom = new(MaximumCallQuality.Hd, ConferenceCapabilities.AudioOnly);

    /// <summary>Units as a fraction of one HD call, so expectations read like the seed's.</summary>
    private static CapacityUnits Hd_(int numerator, int denominator = 1)
    {
        Assert.Equal(0, numerator * CapacityUnits.PerHdCall % denominator); // the unit must make every weight whole
        return new CapacityUnits(numerator * CapacityUnits.PerHdCall / denominator);
    }

    [Fact]
    public void S7_1_call_weights_relative_to_HD_L1175_to_L1179()
    {
        Assert.Equal(Hd_(2), MediaCosts.OnTranscodingNode(CallMedia.Video, FullHd));
        Assert.Equal(Hd_(1), MediaCosts.OnTranscodingNode(CallMedia.Video, Hd));
        Assert.Equal(Hd_(1, 2), MediaCosts.OnTranscodingNode(CallMedia.Video, Sd));
        // L1179: audio-only is one twelfth of HD (v24; newer documents say 1/16, the seed wins).
        Assert.Equal(Hd_(1, 12), MediaCosts.OnTranscodingNode(CallMedia.Audio, Hd));
        Assert.Equal(12 * MediaCosts.AudioCall.Value, MediaCosts.HdCall.Value);
    }

    [Fact]
    public void S7_2_codec_weights_VP9_is_a_quarter_more_VP8_equals_H264_L1181()
    {
        Assert.Equal(Hd_(5, 4), MediaCosts.OnTranscodingNode(CallMedia.VideoAt(MaximumCallQuality.Hd, VideoCodec.Vp9), FullHd));
        Assert.Equal(Hd_(5, 2), MediaCosts.OnTranscodingNode(CallMedia.VideoAt(MaximumCallQuality.FullHd, VideoCodec.Vp9), FullHd));
        Assert.Equal(Hd_(1), MediaCosts.OnTranscodingNode(CallMedia.VideoAt(MaximumCallQuality.Hd, VideoCodec.Vp8), FullHd));
        // 24 units per HD is what keeps VP9 at SD (5/8 HD) whole.
        Assert.Equal(Hd_(5, 8), MediaCosts.OnTranscodingNode(CallMedia.VideoAt(MaximumCallQuality.Sd, VideoCodec.Vp9), Hd));
    }

    [Fact]
    public void S7_3_WebRTC_presentation_adds_half_an_HD_to_send_and_one_HD_to_receive_full_motion_L1181()
    {
        Assert.Equal(Hd_(3, 2), MediaCosts.OnTranscodingNode(new CallMedia(SendsPresentation: true), Hd));
        Assert.Equal(Hd_(2), MediaCosts.OnTranscodingNode(new CallMedia(ReceivesFullMotionPresentation: true), Hd));
        // A conference without presentation has no presentation channel to pay for (L5545).
        var mainVideoOnly = Hd with { Capabilities = ConferenceCapabilities.MainVideoOnly };
        Assert.Equal(Hd_(1), MediaCosts.OnTranscodingNode(new CallMedia(SendsPresentation: true), mainVideoOnly));
    }

    [Fact]
    public void S7_4_proxying_costs_three_audio_calls_for_video_and_one_for_audio_and_the_TCN_pays_the_same_L1191_L1161()
    {
        Assert.Equal(Hd_(1, 4), MediaCosts.OnProxyingNode(CallMedia.Video, FullHd));
        Assert.Equal(Hd_(1, 4), MediaCosts.OnProxyingNode(CallMedia.VideoAt(MaximumCallQuality.Sd), Hd));
        Assert.Equal(Hd_(1, 12), MediaCosts.OnProxyingNode(CallMedia.Audio, Hd));
        Assert.Equal(Hd_(1, 12), MediaCosts.OnProxyingNode(CallMedia.Video, AudioOnlyRoom));

        var cluster = new SimulatedCluster()
            .Location("Edge", transcoding: "Core").Location("Core")
            .Proxying("edge1", "Edge").Transcoding("core1", "Core", 4).Transcoding("core2", "Core", 4);
        var proxied = cluster.Admit("vmr", "p1", "edge1");
        var direct = cluster.Admit("vmr", "p2", "core1");
        Assert.Equal(proxied.TranscodingCost, direct.TranscodingCost);
        Assert.Equal(Hd_(1, 4), cluster.Ledgers["edge1"].Load);
    }

    [Fact]
    public void S7_5_backplane_reservation_follows_maximum_call_quality_L1197_to_L1200_and_L7455()
    {
        Assert.Equal(Hd_(1), MediaCosts.BackplaneReservation(Hd, singleTranscodingNodeDeployment: false));
        Assert.Equal(Hd_(2), MediaCosts.BackplaneReservation(FullHd, false)); // L7628: "1 Full HD of capacity will be reserved"
        Assert.Equal(Hd_(1, 2), MediaCosts.BackplaneReservation(Sd, false));
        Assert.Equal(Hd_(1, 12), MediaCosts.BackplaneReservation(AudioOnlyRoom, false)); // L1200
        Assert.Equal(CapacityUnits.Zero, MediaCosts.BackplaneReservation(FullHd, singleTranscodingNodeDeployment: true)); // L1199
    }

    [Fact]
    public void Maximum_call_quality_caps_what_a_call_reserves_L1183()
    {
        Assert.Equal(Hd_(1), MediaCosts.OnTranscodingNode(CallMedia.VideoAt(MaximumCallQuality.FullHd), Hd));
        Assert.Equal(Hd_(1, 2), MediaCosts.OnTranscodingNode(CallMedia.VideoAt(MaximumCallQuality.Sd), FullHd));
        // R-CAP-3 (L7453): a video caller into an audio-only room joins audio-only.
        Assert.Equal(Hd_(1, 12), MediaCosts.OnTranscodingNode(CallMedia.Video, AudioOnlyRoom));
    }

    [Fact]
    public void First_call_on_a_node_takes_call_plus_reservation_later_calls_only_the_call_Q7()
    {
        var cluster = new SimulatedCluster().Location("L").Transcoding("a", "L", 20).Transcoding("b", "L", 20);
        var first = cluster.Admit("vmr", "p1", "a");
        Assert.Equal(new[] { new CapacityReservation(first.TranscodingNode, Hd_(2)) }, first.Reservations);
        var second = cluster.Admit("vmr", "p2", "a");
        Assert.Equal(new[] { new CapacityReservation(first.TranscodingNode, Hd_(1)) }, second.Reservations);
        Assert.False(second.StartsHosting);
    }

    [Fact]
    public void A_single_transcoding_node_deployment_reserves_nothing_for_backplanes_L1199()
    {
        var cluster = new SimulatedCluster()
            .Location("Edge", transcoding: "Core").Location("Core")
            .Proxying("edge1", "Edge").Transcoding("only", "Core", 2);
        cluster.Admit("vmr", "p1", "edge1");
        cluster.Admit("vmr", "p2", "only");
        Assert.Equal(Hd_(2), cluster.Ledgers["only"].Load);
    }

    [Fact]
    public void Node_capacity_in_audio_calls_converts_to_units_reference_server_is_40_HD_L449()
    {
        // L449: 20 cores × 2 HD = 40 HD, which at 12 audio calls per HD is 480 audio calls.
        var capacity = CapacityUnits.FromAudioCalls(480);
        Assert.Equal(CapacityUnits.FromHdCalls(40), capacity);
        Assert.Equal(40, capacity.WholeHdCalls);
        Assert.Equal(480, capacity.WholeAudioCalls);
        Assert.Equal(3, CapacityUnits.FromAudioCalls(47).WholeHdCalls); // 47/12 HD rounds down
    }

    [Fact]
    public void Node_ledger_reserves_atomically_and_refuses_what_does_not_fit()
    {
        var ledger = new NodeCapacityLedger(Hd_(2));
        Assert.True(ledger.TryReserve("a", Hd_(3, 2)));
        Assert.False(ledger.TryReserve("b", Hd_(1)));
        Assert.Equal(Hd_(3, 2), ledger.Load);
        Assert.Equal(75, ledger.LoadPercent);
        Assert.True(ledger.TryReserve("b", Hd_(1, 2)));
        Assert.Equal(CapacityUnits.Zero, ledger.Available);
        Assert.Equal(Hd_(3, 2), ledger.ReleaseAll("a"));
        Assert.Throws<InvalidOperationException>(() => ledger.Release("b", Hd_(1)));
        Assert.Equal(Hd_(1, 2), ledger.HeldBy("b"));
    }

    [Fact]
    public void Maintenance_mode_reports_full_load_and_takes_nothing_new_L11666_L11680()
    {
        var ledger = new NodeCapacityLedger(Hd_(10));
        Assert.True(ledger.TryReserve("a", Hd_(1)));
        ledger.MaintenanceMode = true;
        Assert.Equal(100, ledger.LoadPercent);
        Assert.Equal(CapacityUnits.Zero, ledger.Available);
        Assert.False(ledger.TryReserve("a", Hd_(1, 12)));
        ledger.Release("a", Hd_(1)); // existing calls still end normally
        Assert.Equal(CapacityUnits.Zero, ledger.Load);
    }

    /// <summary>
    /// S6 (seed L2077–2109) capacity figures under per-node backplane reservation (R54, L1197, L2107; decision Q1).
    /// Bursting Europe's column matches the seed's table; London's shifts by one reservation because a conference
    /// spread over London's two nodes reserves twice (the seed's table counts one).
    /// </summary>
    [Fact]
    public void S6_bursting_example_capacity_arithmetic_with_a_reservation_per_node_L2077_to_L2109_Q1()
    {
        var cluster = new SimulatedCluster()
            .Location("London", primary: "Bursting Europe").Location("Bursting Europe")
            .Transcoding("London1", "London", 20).Transcoding("London2", "London", 20)
            .Transcoding("A", "Bursting Europe", 20);
        LocationCapacity London() => LocationCapacity.Of("London", cluster.Snapshot().Nodes.Values);
        LocationCapacity Europe() => LocationCapacity.Of("Bursting Europe", cluster.Snapshot().Nodes.Values);
        var participant = 0;
        MediaAllocated Join() => cluster.Admit("conf", $"p{++participant}", participant % 2 == 0 ? "London1" : "London2");

        for (var i = 0; i < 33; i++) Join();
        Assert.Equal(5, London().AvailableHdCalls); // seed table step 2: 6 with one reservation for the location
        Join();
        Assert.Equal(4, London().AvailableHdCalls); // step 3: 5
        for (var i = 0; i < 4; i++) Join();
        Assert.Equal(0, London().AvailableHdCalls); // 38 participants + 2 reservations = 40

        // Step 6: the next participant's media goes to A, London's primary overflow; A: 20 - 1 - 1 reservation = 18.
        Assert.Equal("A", Join().TranscodingNode);
        Assert.Equal(18, Europe().AvailableHdCalls);
        for (var i = 0; i < 13; i++) Assert.Equal("A", Join().TranscodingNode);
        Assert.Equal(5, Europe().AvailableHdCalls); // step 8: at the threshold of 5, so B starts

        cluster.Transcoding("B", "Bursting Europe", 20); // step 9: B running
        Assert.Equal(25, Europe().AvailableHdCalls);
        // Step 10: seven more; five fill A (a hosting node with room first, R21), two start B (2 + 1 reservation).
        var placed = Enumerable.Range(0, 7).Select(_ => Join().TranscodingNode).ToList();
        Assert.Equal(["A", "A", "A", "A", "A", "B", "B"], placed);
        Assert.Equal(17, Europe().AvailableHdCalls);
    }

    /// <summary>Issue 14 item 4: one ledger in HD units, so a node admits its measured audio calls, never more than its measured HD calls × 12 (L1179).</summary>
    [Theory]
    [InlineData(900, 5, 60)]
    [InlineData(40, 5, 40)]
    [InlineData(900, 0, 0)]
    public void A_nodes_measured_capacity_is_what_both_its_audio_and_its_video_measurements_allow_L1179(long audioCalls, long hdCalls, long admitted)
    {
        Assert.Equal(admitted, MeasuredCapacity.AudioCalls(audioCalls, hdCalls));
        Assert.True(CapacityUnits.FromAudioCalls(MeasuredCapacity.AudioCalls(audioCalls, hdCalls)) <= CapacityUnits.FromHdCalls(hdCalls));
    }

    /// <summary>A call that adds video is re-costed where it is: its node's call load follows, nothing else moves.</summary>
    [Fact]
    public void Recosting_a_call_moves_its_nodes_load_and_nothing_else()
    {
        var placement = ConferencePlacement.Restore("c", Hd,
            [new HostingNode("A1", "A", 0, MediaCosts.HdCall, MediaCosts.AudioCall + MediaCosts.HdCall, 2)],
            [
                new ParticipantPlacement("p1", "A1", null, "A1", "A", MediaCosts.AudioCall, CapacityUnits.Zero),
                new ParticipantPlacement("p2", "A1", null, "A1", "A", MediaCosts.HdCall, CapacityUnits.Zero),
            ]);
        var after = placement.Recost("p1", MediaCosts.HdCall, CapacityUnits.Zero);
        Assert.Equal(MediaCosts.HdCall * 2, after.HostingNodes["A1"].CallLoad);
        Assert.Equal(MediaCosts.HdCall, after.Participants["p1"].TranscodingCost);
        Assert.Equal(placement.Backplanes.Backplanes, after.Backplanes.Backplanes);
        // What a restored grain would rebuild from it agrees with itself.
        ConferencePlacement.Restore("c", Hd, after.HostingNodes.Values, after.Participants.Values);
        Assert.Throws<InvalidOperationException>(() => placement.Recost("nobody", MediaCosts.HdCall, CapacityUnits.Zero));
    }
}
