using ConferenceCluster.Conferencing.Allocation;
using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using Xunit.Abstractions;

namespace ConferenceCluster.Conferencing.Tests;

/// <summary>
/// A hand-rolled property test: random deployments (locations, overflow links including cycles and self-links,
/// node sizes, roles, maintenance mode) and random join/leave sequences over several conferences that share the
/// nodes. After every step it checks the invariants of seed L2139–2233; every join is checked against an
/// independent reading of the selection rules. Seeded and bounded; a failure names the seed to rerun with
/// TOPOLOGY_PROPERTY_SEED=&lt;seed&gt;.
/// </summary>
public class TopologyPropertyTests(ITestOutputHelper output)
{
    private const int BaseSeed = 20261121;
    private const int Topologies = 300;
    private const int StepsPerTopology = 80;

    private sealed class Coverage
    {
        public int Accepted, Rejected, Proxied, Overflowed, ThreeNodeLocations, GeoBackplanes, IntermediaryReelections, MaintenanceToggles;
    }

    [Fact]
    public void Random_topologies_and_join_leave_sequences_keep_the_allocation_and_backplane_invariants()
    {
        var seeds = Environment.GetEnvironmentVariable("TOPOLOGY_PROPERTY_SEED") is { Length: > 0 } only
            ? [int.Parse(only)]
            : Enumerable.Range(BaseSeed, Topologies).ToArray();
        var coverage = new Coverage();
        foreach (var seed in seeds)
        {
            try
            {
                RunOne(seed, coverage);
            }
            catch (Exception e)
            {
                output.WriteLine($"Property failed for seed {seed}; rerun with TOPOLOGY_PROPERTY_SEED={seed}");
                throw new InvalidOperationException($"Property failed for seed {seed} (rerun with TOPOLOGY_PROPERTY_SEED={seed}): {e.Message}", e);
            }
        }

        output.WriteLine($"accepted {coverage.Accepted}, rejected {coverage.Rejected}, proxied {coverage.Proxied}, overflowed {coverage.Overflowed}, " +
                         $"locations at three nodes {coverage.ThreeNodeLocations}, geo backplanes {coverage.GeoBackplanes}, " +
                         $"intermediary re-elections {coverage.IntermediaryReelections}, maintenance toggles {coverage.MaintenanceToggles}");
        if (seeds.Length == Topologies)
        {
            // The random space must actually exercise the rules this test is about.
            Assert.True(coverage.Accepted > 1000 && coverage.Rejected > 100, "too few joins accepted or rejected");
            Assert.True(coverage.Proxied > 50 && coverage.Overflowed > 50, "too few proxied or overflowed calls");
            Assert.True(coverage.ThreeNodeLocations > 20 && coverage.GeoBackplanes > 20 && coverage.IntermediaryReelections > 10,
                "too few three-node locations, geo backplanes or re-elections");
        }
    }

    private static void RunOne(int seed, Coverage coverage)
    {
        var rng = new Random(seed);
        var cluster = RandomDeployment(rng);
        var nodeNames = cluster.Nodes.Keys.Order(StringComparer.Ordinal).ToArray();
        var conferences = Enumerable.Range(0, rng.Next(1, 4)).Select(i => $"conf{i}").ToArray();
        foreach (var conference in conferences)
            cluster.Conference(conference, new ConferenceMediaPolicy((MaximumCallQuality)rng.Next(3), (ConferenceCapabilities)rng.Next(3)));

        var nextParticipant = 0;
        for (var step = 0; step < StepsPerTopology; step++)
        {
            var roll = rng.NextDouble();
            var placed = cluster.Conferences.SelectMany(c => c.Value.Participants.Keys.Select(p => (Conference: c.Key, Participant: p))).ToList();
            if (roll < 0.05)
            {
                var node = nodeNames[rng.Next(nodeNames.Length)];
                cluster.SetMaintenance(node, !cluster.Nodes[node].MaintenanceMode);
                coverage.MaintenanceToggles++;
            }
            else if (roll < 0.65 || placed.Count == 0)
            {
                var conference = conferences[rng.Next(conferences.Length)];
                var signaling = rng.NextDouble() < 0.03 ? "departed-node" : nodeNames[rng.Next(nodeNames.Length)];
                var request = new MediaAllocationRequest($"p{nextParticipant++}", signaling, RandomMedia(rng));
                var snapshot = cluster.Snapshot();
                var before = cluster.Conferences[conference];
                var decision = cluster.Join(conference, request.ParticipantId, request.SignalingNode, request.Media);
                CheckDecisionFollowsTheRules(cluster, snapshot, before, request, decision);
                if (decision is MediaAllocated allocated)
                {
                    coverage.Accepted++;
                    if (allocated.MediaProxyNode is not null) coverage.Proxied++;
                    if (allocated.LocationRole != MediaLocationRole.TranscodingLocation) coverage.Overflowed++;
                }
                else
                {
                    coverage.Rejected++;
                }
            }
            else
            {
                var (conference, participant) = placed[rng.Next(placed.Count)];
                var change = cluster.Leave(conference, participant);
                coverage.IntermediaryReelections += change.Backplanes.IntermediaryChanges.Count(c => c.Previous is not null && c.Current is not null);
            }

            CheckInvariants(cluster);
            foreach (var placement in cluster.Conferences.Values)
            {
                coverage.ThreeNodeLocations += placement.HostingNodes.Values.GroupBy(h => h.Location).Count(g => g.Count() == 3);
                coverage.GeoBackplanes += placement.Backplanes.Backplanes.Count(b => b.Kind == BackplaneKind.Geo);
            }
        }
    }

    private static SimulatedCluster RandomDeployment(Random rng)
    {
        var cluster = new SimulatedCluster();
        var names = Enumerable.Range(0, rng.Next(1, 5)).Select(i => $"L{i}").ToArray();
        string? AnyLocationOrNone(double noneChance) => rng.NextDouble() < noneChance ? null : names[rng.Next(names.Length)];
        foreach (var name in names)
            cluster.Location(name, transcoding: AnyLocationOrNone(0.5), primary: AnyLocationOrNone(0.4), secondary: AnyLocationOrNone(0.5));

        foreach (var name in names)
        {
            var kind = rng.NextDouble(); // proxying-only, mixed (R9 warning) or transcoding-only
            var nodes = rng.Next(0, 6);
            for (var i = 0; i < nodes; i++)
            {
                var role = kind < 0.25 ? NodeRole.Proxying
                    : kind < 0.35 ? (NodeRole)rng.Next(2)
                    : NodeRole.Transcoding;
                var capacity = role == NodeRole.Transcoding
                    ? new CapacityUnits(rng.Next(0, 8 * (int)CapacityUnits.PerHdCall + 1))
                    : new CapacityUnits(rng.Next(0, 40));
                cluster.Node($"{name}-n{i}", name, role, capacity, maintenance: rng.NextDouble() < 0.1);
            }
        }
        if (cluster.Nodes.Count == 0) cluster.Transcoding("L0-n0", names[0], 4);
        return cluster;
    }

    private static CallMedia RandomMedia(Random rng) => rng.NextDouble() < 0.25
        ? CallMedia.Audio
        : new CallMedia(
            EndpointMaximumQuality: rng.Next(4) == 0 ? null : (MaximumCallQuality)rng.Next(3),
            Codec: (VideoCodec)rng.Next(3),
            SendsPresentation: rng.NextDouble() < 0.1,
            ReceivesFullMotionPresentation: rng.NextDouble() < 0.1);

    /// <summary>An independent, loop-by-loop reading of R19–R25, R30 and R43–R45, checked against the allocator.</summary>
    private static void CheckDecisionFollowsTheRules(
        SimulatedCluster cluster, ClusterSnapshot snapshot, ConferencePlacement placement, MediaAllocationRequest request, MediaAllocationDecision decision)
    {
        if (!snapshot.Nodes.TryGetValue(request.SignalingNode, out var signaling))
        {
            Assert.Equal(MediaRejectionReason.SignalingNodeUnknown, Assert.IsType<MediaRejected>(decision).Reason);
            return;
        }
        if (signaling.Node.MaintenanceMode)
        {
            Assert.Equal(MediaRejectionReason.SignalingNodeInMaintenance, Assert.IsType<MediaRejected>(decision).Reason);
            return;
        }

        long Free(NodeStatus n) => (n.Node.MediaCapacity - n.Load).Value;
        string SmallestNameWithMostFree(List<NodeStatus> pool)
        {
            var most = pool.Max(Free);
            return pool.Where(n => Free(n) == most).Select(n => n.Name).Min(StringComparer.Ordinal)!;
        }

        var cost = MediaCosts.OnTranscodingNode(request.Media, placement.MediaPolicy).Value;
        var reservation = snapshot.Nodes.Values.Count(n => n.Role == NodeRole.Transcoding) <= 1
            ? 0
            : MediaCosts.BackplaneReservation(placement.MediaPolicy, singleTranscodingNodeDeployment: false).Value;

        string? expectedProxy = null;
        if (signaling.Role == NodeRole.Proxying)
        {
            var proxyCost = MediaCosts.OnProxyingNode(request.Media, placement.MediaPolicy).Value;
            var proxies = snapshot.Nodes.Values
                .Where(n => n.Location == signaling.Location && n.Role == NodeRole.Proxying && !n.Node.MaintenanceMode && Free(n) >= proxyCost)
                .ToList();
            if (proxies.Count == 0)
            {
                Assert.Equal(MediaRejectionReason.CapacityExceeded, Assert.IsType<MediaRejected>(decision).Reason);
                return;
            }
            expectedProxy = SmallestNameWithMostFree(proxies);
        }

        // Straight from the signalling location's own fields: nothing transitive (L2221).
        var location = cluster.Locations[signaling.Location];
        var chain = new List<string>();
        foreach (var candidate in new[] { location.TranscodingLocation ?? location.Name, location.PrimaryOverflowLocation, location.SecondaryOverflowLocation })
            if (candidate is not null && !chain.Contains(candidate)) chain.Add(candidate);

        foreach (var candidate in chain)
        {
            var transcodingNodes = snapshot.Nodes.Values
                .Where(n => n.Location == candidate && n.Role == NodeRole.Transcoding && !n.Node.MaintenanceMode)
                .ToList();
            var hostingWithRoom = transcodingNodes.Where(n => placement.IsHosting(n.Name) && Free(n) >= cost).ToList();
            var hostingHere = placement.HostingNodes.Values.Count(h => h.Location == candidate);
            var freshWithRoom = hostingHere >= 3
                ? []
                : transcodingNodes.Where(n => !placement.IsHosting(n.Name) && Free(n) >= cost + reservation).ToList();
            var pool = hostingWithRoom.Count > 0 ? hostingWithRoom : freshWithRoom;
            if (pool.Count == 0) continue;

            var allocated = Assert.IsType<MediaAllocated>(decision);
            Assert.Equal(
                (SmallestNameWithMostFree(pool), candidate, expectedProxy, hostingWithRoom.Count == 0),
                (allocated.TranscodingNode, allocated.TranscodingLocation, allocated.MediaProxyNode, allocated.StartsHosting));
            return;
        }

        Assert.Equal(MediaRejectionReason.CapacityExceeded, Assert.IsType<MediaRejected>(decision).Reason);
    }

    private static void CheckInvariants(SimulatedCluster cluster)
    {
        foreach (var (name, node) in cluster.Nodes)
            Assert.True(cluster.Ledgers[name].Load <= node.MediaCapacity, $"{name} is over capacity: {cluster.Ledgers[name].Load} > {node.MediaCapacity}");

        foreach (var (conference, placement) in cluster.Conferences)
        {
            // What the conference believes it holds is exactly what the nodes' ledgers hold for it.
            var held = placement.CapacityHeldPerNode();
            foreach (var name in cluster.Nodes.Keys)
                Assert.Equal(held.GetValueOrDefault(name), cluster.Ledgers[name].HeldBy(conference));

            foreach (var host in placement.HostingNodes.Values)
            {
                Assert.Equal(NodeRole.Transcoding, cluster.Nodes[host.NodeName].Role); // R31, R40
                Assert.Equal(cluster.Nodes[host.NodeName].SystemLocation, host.Location);
                var carried = placement.Participants.Values.Where(p => p.TranscodingNode == host.NodeName).ToList();
                Assert.True(carried.Count > 0, $"{host.NodeName} hosts {conference} without participants");
                Assert.Equal(carried.Count, host.Participants);
            }

            foreach (var participant in placement.Participants.Values)
            {
                Assert.True(placement.IsHosting(participant.TranscodingNode));
                if (participant.MediaProxyNode is { } proxy)
                {
                    Assert.Equal(NodeRole.Proxying, cluster.Nodes[proxy].Role);
                    Assert.Equal(cluster.Nodes[participant.SignalingNode].SystemLocation, cluster.Nodes[proxy].SystemLocation); // R43
                }
            }

            var byLocation = placement.HostingNodes.Values.GroupBy(h => h.Location).ToDictionary(g => g.Key, g => g.ToList());
            Assert.All(byLocation, g => Assert.True(g.Value.Count <= MediaAllocator.MaxTranscodingNodesPerLocationPerConference,
                $"{conference} has {g.Value.Count} media nodes in {g.Key}"));

            var topology = placement.Backplanes;
            Assert.Equal(byLocation.Keys.Order(StringComparer.Ordinal), topology.Intermediaries.Keys);
            foreach (var (location, intermediary) in topology.Intermediaries)
                Assert.Equal(byLocation[location].MinBy(h => h.HostingSequence)!.NodeName, intermediary);

            foreach (var backplane in topology.Backplanes)
            {
                string LocationOf(string node) => placement.HostingNodes[node].Location;
                if (backplane.Kind == BackplaneKind.Local)
                {
                    Assert.Equal(LocationOf(backplane.NodeA), LocationOf(backplane.NodeB));
                    Assert.True(topology.Intermediaries[LocationOf(backplane.NodeA)] is var hub && (backplane.NodeA == hub || backplane.NodeB == hub));
                }
                else
                {
                    Assert.NotEqual(LocationOf(backplane.NodeA), LocationOf(backplane.NodeB));
                    Assert.True(topology.IsIntermediary(backplane.NodeA) && topology.IsIntermediary(backplane.NodeB));
                }
            }
            var locations = byLocation.Count;
            Assert.Equal(placement.HostingNodes.Count - locations, topology.Backplanes.Count(b => b.Kind == BackplaneKind.Local));
            Assert.Equal(locations * (locations - 1) / 2, topology.Backplanes.Count(b => b.Kind == BackplaneKind.Geo));

            // Every media node reaches every other over backplanes.
            if (placement.HostingNodes.Count > 0)
            {
                var reached = new HashSet<string> { placement.HostingNodes.Keys.First() };
                var queue = new Queue<string>(reached);
                while (queue.TryDequeue(out var node))
                    foreach (var neighbour in topology.NeighboursOf(node))
                        if (reached.Add(neighbour)) queue.Enqueue(neighbour);
                Assert.Equal(placement.HostingNodes.Keys.ToHashSet(), reached);
            }
        }
    }
}
