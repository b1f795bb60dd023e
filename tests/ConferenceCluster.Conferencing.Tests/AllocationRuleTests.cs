using ConferenceCluster.Conferencing.Allocation;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;

namespace ConferenceCluster.Conferencing.Tests;

/// <summary>The media allocation rules R16–R33 and R43–R45 one at a time.</summary>
public class AllocationRuleTests
{
    private const string Vmr = "meet.vmr";

    [Fact]
    public void At_most_three_transcoding_nodes_per_location_per_conference_even_with_idle_nodes_L716_L2192()
    {
        // Five nodes that each fit one HD call plus the reservation.
        var cluster = new SimulatedCluster().Location("L");
        for (var i = 1; i <= 5; i++) cluster.Transcoding($"n{i}", "L", 2);

        Assert.Equal(["n1", "n2", "n3"], Enumerable.Range(0, 3).Select(i => cluster.Admit(Vmr, $"p{i}", "n1").TranscodingNode));

        // n4 and n5 are idle, but the conference already has three full nodes in L (R23 second bullet).
        var fourth = Assert.IsType<MediaRejected>(cluster.Join(Vmr, "p3", "n4"));
        Assert.Equal(MediaRejectionReason.CapacityExceeded, fourth.Reason);

        // Another conference may still use them: the limit is per conference instance.
        Assert.Equal("n4", cluster.Admit("other", "q0", "n4").TranscodingNode);
    }

    [Fact]
    public void When_three_nodes_are_full_the_next_call_overflows_and_the_limit_applies_there_too_L2217_L2063()
    {
        var cluster = new SimulatedCluster().Location("L", primary: "Cloud").Location("Cloud");
        for (var i = 1; i <= 4; i++) cluster.Transcoding($"n{i}", "L", 2);
        for (var i = 1; i <= 4; i++) cluster.Transcoding($"c{i}", "Cloud", 2);

        var placed = Enumerable.Range(0, 7).Select(i => cluster.Join(Vmr, $"p{i}", "n1")).ToList();
        Assert.Equal(["n1", "n2", "n3", "c1", "c2", "c3"], placed.Take(6).Select(d => Assert.IsType<MediaAllocated>(d).TranscodingNode));
        Assert.IsType<MediaRejected>(placed[6]);
        Assert.Equal(3, cluster.Conferences[Vmr].HostingNodesIn("Cloud").Count());
    }

    [Fact]
    public void A_hosting_node_with_spare_capacity_wins_over_a_freer_node_that_does_not_host_L2188()
    {
        var cluster = new SimulatedCluster().Location("L").Transcoding("small", "L", 5).Transcoding("big", "L", 50);
        cluster.FillWithOtherConferences("big");
        Assert.Equal("small", cluster.Admit(Vmr, "p1", "big").TranscodingNode);
        cluster.ReleaseOtherConferences("big", cluster.Ledgers["big"].Load);
        // big now has far more available capacity, yet the conference stays on small while it has room.
        Assert.Equal("small", cluster.Admit(Vmr, "p2", "big").TranscodingNode);
    }

    [Fact]
    public void The_signalling_node_gets_no_preference_for_media_L2261()
    {
        var cluster = new SimulatedCluster().Location("L").Transcoding("sig", "L", 5).Transcoding("free", "L", 6);
        var decision = cluster.Admit(Vmr, "p1", "sig");
        Assert.Equal(("sig", "free"), (decision.SignalingNode, decision.TranscodingNode));
    }

    [Fact]
    public void Least_loaded_means_most_available_capacity_in_units_and_ties_go_to_the_smaller_name_Q2_Q3()
    {
        // "small" is 0% loaded with 4 HD free; "large" is 50% loaded with 5 HD free: "most available capacity" (L2143) picks large.
        var cluster = new SimulatedCluster().Location("L").Transcoding("small", "L", 4).Transcoding("large", "L", 10);
        cluster.LoadFromOtherConferences("large", CapacityUnits.FromHdCalls(5));
        Assert.Equal("large", cluster.Admit(Vmr, "p1", "small").TranscodingNode);

        var tie = new SimulatedCluster().Location("L").Transcoding("nodeB", "L", 4).Transcoding("nodeA", "L", 4);
        Assert.Equal("nodeA", tie.Admit(Vmr, "p1", "nodeB").TranscodingNode);
    }

    [Fact]
    public void With_several_hosting_nodes_with_room_the_one_with_most_available_capacity_takes_the_call_Q3()
    {
        var cluster = new SimulatedCluster().Location("L").Transcoding("a", "L", 3).Transcoding("b", "L", 10);
        cluster.FillWithOtherConferences("b");
        cluster.Admit(Vmr, "p1", "a");
        cluster.Admit(Vmr, "p2", "a"); // a is now full: 2 calls + reservation
        cluster.ReleaseOtherConferences("b", cluster.Ledgers["b"].Load);
        Assert.Equal("b", cluster.Admit(Vmr, "p3", "a").TranscodingNode);
        cluster.Leave(Vmr, "p1"); // a has room again, but b has more
        Assert.Equal("b", cluster.Admit(Vmr, "p4", "a").TranscodingNode);
    }

    [Fact]
    public void Maintenance_mode_nodes_take_no_new_media_even_for_conferences_they_host_L5357_L11666()
    {
        var cluster = new SimulatedCluster().Location("L").Transcoding("a", "L", 10).Transcoding("b", "L", 5);
        Assert.Equal("a", cluster.Admit(Vmr, "p1", "b").TranscodingNode);
        cluster.SetMaintenance("a", true);
        Assert.Equal("b", cluster.Admit(Vmr, "p2", "b").TranscodingNode);
        // The existing call on a continues; a still counts towards the three-node limit until it stops hosting.
        Assert.True(cluster.Conferences[Vmr].IsHosting("a"));

        var rejected = Assert.IsType<MediaRejected>(cluster.Join(Vmr, "p3", "a"));
        Assert.Equal(MediaRejectionReason.SignalingNodeInMaintenance, rejected.Reason);
    }

    [Fact]
    public void Proxied_calls_use_the_least_loaded_proxying_node_of_the_signalling_location_L2177()
    {
        var cluster = new SimulatedCluster()
            .Location("Edge", transcoding: "Core").Location("Core")
            .Proxying("edge1", "Edge").Proxying("edge2", "Edge").Proxying("edge3", "Edge")
            .Transcoding("core1", "Core", 10);
        cluster.LoadFromOtherConferences("edge1", MediaCosts.ProxiedVideoCall);
        cluster.LoadFromOtherConferences("edge3", MediaCosts.ProxiedAudioCall);
        var decision = cluster.Admit(Vmr, "p1", "edge1");
        Assert.Equal(("edge1", "edge2", "core1"), (decision.SignalingNode, decision.MediaProxyNode!, decision.TranscodingNode));
        // core1 is the only transcoding node, so no backplane reservation (L1199): one HD call, and a proxied call on edge2.
        Assert.Equal([new CapacityReservation("core1", CapacityUnits.FromHdCalls(1)), new CapacityReservation("edge2", MediaCosts.ProxiedVideoCall)],
            decision.Reservations);
    }

    [Fact]
    public void Proxying_has_no_location_overflow_so_a_full_edge_location_rejects_the_call_L1582_Q12()
    {
        var cluster = new SimulatedCluster()
            .Location("Edge", transcoding: "Core").Location("OtherEdge", transcoding: "Core").Location("Core")
            .Proxying("edge1", "Edge", audioCalls: 3)
            .Proxying("other1", "OtherEdge")
            .Transcoding("core1", "Core", 10);
        cluster.Admit(Vmr, "p1", "edge1"); // a proxied video call costs three audio calls: edge1 is full
        var rejected = Assert.IsType<MediaRejected>(cluster.Join(Vmr, "p2", "edge1"));
        Assert.Equal(MediaRejectionReason.CapacityExceeded, rejected.Reason);
        Assert.Contains("proxying", rejected.Detail);
    }

    [Fact]
    public void Proxying_nodes_in_the_transcoding_location_give_no_transcoding_resource_so_overflow_is_used_L2193()
    {
        // An edge location left on "This location" (R11 warning): its own nodes cannot transcode.
        var cluster = new SimulatedCluster()
            .Location("Edge", transcoding: null, primary: "Core").Location("Core")
            .Proxying("edge1", "Edge").Transcoding("core1", "Core", 10);
        var decision = cluster.Admit(Vmr, "p1", "edge1");
        Assert.Equal(("edge1", "core1", MediaLocationRole.PrimaryOverflowLocation),
            (decision.MediaProxyNode!, decision.TranscodingNode, decision.LocationRole));

        var withoutOverflow = new SimulatedCluster().Location("Edge").Proxying("edge1", "Edge");
        Assert.IsType<MediaRejected>(withoutOverflow.Join(Vmr, "p1", "edge1"));
    }

    [Fact]
    public void Overflow_locations_of_an_overflow_location_are_never_followed_L2221()
    {
        var cluster = new SimulatedCluster()
            .Location("A", primary: "B").Location("B", primary: "C").Location("C")
            .Transcoding("a1", "A", 2).Transcoding("b1", "B", 2).Transcoding("c1", "C", 100);
        Assert.Equal("a1", cluster.Admit(Vmr, "p1", "a1").TranscodingNode);
        Assert.Equal("b1", cluster.Admit(Vmr, "p2", "a1").TranscodingNode);
        Assert.IsType<MediaRejected>(cluster.Join(Vmr, "p3", "a1"));
        // C serves callers signalled in B, for whom it is the primary overflow.
        Assert.Equal("c1", cluster.Admit(Vmr, "p4", "b1").TranscodingNode);
    }

    [Fact]
    public void A_policy_media_location_list_replaces_the_configured_chain_L2219()
    {
        var cluster = new SimulatedCluster()
            .Location("A").Location("X").Location("Y")
            .Transcoding("a1", "A", 10).Transcoding("x1", "X", 2).Transcoding("y1", "Y", 10);
        var first = Assert.IsType<MediaAllocated>(cluster.Join(Vmr, "p1", "a1", policyMediaLocations: ["X", "Y"]));
        Assert.Equal(("x1", MediaLocationRole.PolicyLocation), (first.TranscodingNode, first.LocationRole));
        Assert.Equal("y1", Assert.IsType<MediaAllocated>(cluster.Join(Vmr, "p2", "a1", policyMediaLocations: ["X", "Y"])).TranscodingNode);
    }

    [Fact]
    public void A_signalling_node_that_left_the_cluster_is_rejected_with_its_own_reason()
    {
        var cluster = new SimulatedCluster().Location("L").Transcoding("a", "L", 10);
        var rejected = Assert.IsType<MediaRejected>(cluster.Join(Vmr, "p1", "gone"));
        Assert.Equal(MediaRejectionReason.SignalingNodeUnknown, rejected.Reason);
    }

    [Fact]
    public void The_allocator_is_pure_the_same_inputs_give_the_same_decision_and_nothing_changes()
    {
        var cluster = new SimulatedCluster().Location("L").Transcoding("a", "L", 10).Transcoding("b", "L", 10);
        var snapshot = cluster.Snapshot();
        var placement = cluster.Conference(Vmr);
        var request = new MediaAllocationRequest("p1", "a", CallMedia.Video);
        var first = Assert.IsType<MediaAllocated>(MediaAllocator.Allocate(snapshot, placement, request));
        var second = Assert.IsType<MediaAllocated>(MediaAllocator.Allocate(snapshot, placement, request));
        Assert.Equal(first.Reservations, second.Reservations);
        Assert.Equal(first with { Reservations = [] }, second with { Reservations = [] });
        Assert.True(placement.IsEmpty);
        Assert.Equal(CapacityUnits.Zero, cluster.Ledgers["a"].Load);
    }

    [Fact]
    public void Admitting_a_decision_made_against_another_placement_is_refused()
    {
        var cluster = new SimulatedCluster().Location("L").Transcoding("a", "L", 10);
        var stale = (MediaAllocated)MediaAllocator.Allocate(cluster.Snapshot(), cluster.Conference(Vmr), new("p1", "a", CallMedia.Video));
        cluster.Admit(Vmr, "p2", "a"); // the conference now hosts on a
        Assert.Throws<InvalidOperationException>(() => cluster.Conferences[Vmr].Admit(stale));
    }

    [Fact]
    public void A_failed_node_drops_every_call_it_signalled_proxied_or_processed_and_releases_the_rest_L874()
    {
        var cluster = new SimulatedCluster()
            .Location("Edge", transcoding: "Core").Location("Core")
            .Proxying("edge1", "Edge").Transcoding("core1", "Core", 3).Transcoding("core2", "Core", 3);
        cluster.Admit(Vmr, "p1", "edge1"); // core1
        cluster.Admit(Vmr, "p2", "core2"); // core1
        cluster.Admit(Vmr, "p3", "core2"); // core1 is full, core2
        var change = cluster.Conferences[Vmr].DropNode("core1");
        Assert.Equal(["p1", "p2"], change.DroppedParticipants);
        Assert.Equal(["core1"], change.NodesStoppedHosting);
        Assert.Equal([new CapacityReservation("edge1", MediaCosts.ProxiedVideoCall)], change.Released);
        Assert.Empty(change.After.Backplanes.Backplanes);
        Assert.Equal(["p3"], change.After.Participants.Keys);
    }

    [Fact]
    public void A_restored_placement_keeps_hosting_order_capacity_and_backplanes_and_refuses_inconsistent_state()
    {
        var cluster = new SimulatedCluster().Location("L", primary: "M").Location("M")
            .Transcoding("a", "L", 2).Transcoding("b", "L", 2).Transcoding("m", "M", 5);
        for (var i = 0; i < 2; i++) cluster.Admit(Vmr, $"p{i}", "a"); // fills a, then b
        var original = cluster.Conferences[Vmr];

        var restored = ConferencePlacement.Restore(Vmr, original.MediaPolicy, original.HostingNodes.Values, original.Participants.Values);
        Assert.Equal(original.Backplanes.Backplanes, restored.Backplanes.Backplanes);
        Assert.Equal(original.CapacityHeldPerNode(), restored.CapacityHeldPerNode());
        // New hosts still come after the restored ones, so intermediaries stay put.
        var next = Assert.IsType<MediaAllocated>(MediaAllocator.Allocate(cluster.Snapshot(), restored, new("p9", "m", CallMedia.Video)));
        Assert.True(next.StartsHosting);
        Assert.True(restored.Admit(next).After.HostingNodes[next.TranscodingNode].HostingSequence > original.HostingNodes.Values.Max(h => h.HostingSequence));

        Assert.Throws<InvalidOperationException>(() =>
            ConferencePlacement.Restore(Vmr, original.MediaPolicy, original.HostingNodes.Values, original.Participants.Values.Skip(1)));
    }
}
