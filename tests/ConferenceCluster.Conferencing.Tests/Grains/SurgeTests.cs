using System.Diagnostics;
using System.Diagnostics.Metrics;
using ConferenceCluster.Conferencing.Allocation;
using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Grains;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Storage.Documents;
using Xunit.Abstractions;

namespace ConferenceCluster.Conferencing.Tests.Grains;

/// <summary>
/// A participant surge on a 4-silo cluster (in-memory store): 500 concurrent joins over 50 conferences, more than the
/// cluster can hold, so reservations race on every NodeGrain. Whatever the interleaving, the invariants must hold.
/// A variant on a real database overrides <see cref="CreateStoreAsync"/>.
/// </summary>
public class SurgeTests(ITestOutputHelper output)
{
    /// <summary>The cluster database; null = the in-memory store.</summary>
    protected virtual Task<IOwnedClusterDocumentStore?> CreateStoreAsync() => Task.FromResult<IOwnedClusterDocumentStore?>(null);

    /// <summary>The silos' Orleans grain storage and reminders; null = in memory.</summary>
    protected virtual Action<Orleans.Hosting.ISiloBuilder>? GrainStorage => null;

    private const int Joins = 500;
    private const int Conferences = 50;

    [Fact]
    public async Task Five_hundred_concurrent_joins_over_fifty_conferences_never_overbook_a_node_nor_break_the_three_node_limit_L716_L2197()
    {
        // EU's three nodes overflow to US and back, so conferences spread over both locations and get geo backplanes.
        var nodes = new[]
        {
            NodeSpec.Transcoding("EU1", "EU", hdCalls: 40), NodeSpec.Transcoding("EU2", "EU", hdCalls: 40),
            NodeSpec.Transcoding("EU3", "EU", hdCalls: 40), NodeSpec.Transcoding("US1", "US", hdCalls: 40),
        };
        var conferences = Enumerable.Range(0, Conferences).Select(c => $"surge{c:00}").ToArray();
        await using var cluster = await ConferencingTestCluster.StartCoreAsync(await CreateStoreAsync(), null, null, GrainStorage,
            [new SystemLocation("EU") { PrimaryOverflowLocation = "US" }, new SystemLocation("US") { PrimaryOverflowLocation = "EU" }],
            nodes, conferences);

        // Measured for the report only: the meters are process-wide and other test classes run alongside.
        long refusals = 0, gaveUp = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ConferencingMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument == ConferencingMetrics.ReservationRefusals) Interlocked.Add(ref refusals, value);
            if (instrument == ConferencingMetrics.AllocationGaveUp) Interlocked.Add(ref gaveUp, value);
        });
        listener.Start();

        // One call in three is HD video, the rest audio: about 1.5 times what the cluster holds (R25 must answer the rest).
        var stopwatch = Stopwatch.StartNew();
        var calls = Enumerable.Range(0, Joins).Select(i => (
            Participant: $"p{i:000}",
            Conference: conferences[i % Conferences],
            Signalling: nodes[i % nodes.Length].Name,
            Media: i % 3 == 0 ? CallMedia.Video : CallMedia.Audio)).ToList();
        var results = await Task.WhenAll(calls.Select(c => cluster.DialAsync(c.Participant, c.Conference, c.Signalling, c.Media)));
        stopwatch.Stop();

        // No join lost: every one answered, accepted or rejected with "capacity exceeded".
        Assert.Equal(Joins, results.Length);
        var accepted = results.Where(r => r.Accepted).Select(r => r.ParticipantId).ToHashSet();
        Assert.All(results.Where(r => !r.Accepted), r => Assert.Equal((JoinRejectionReason.CapacityExceeded, "capacity exceeded"), (r.Rejection!.Value, r.Message!)));
        Assert.InRange(accepted.Count, 1, Joins - 1);
        output.WriteLine($"{Joins} joins over {Conferences} conferences on {nodes.Length} silos: {accepted.Count} accepted, " +
                         $"{Joins - accepted.Count} rejected, {stopwatch.Elapsed.TotalMilliseconds:0} ms (measured, not asserted)");

        var statuses = await Task.WhenAll(conferences.Select(c => cluster.Conference(c).GetStatus()));
        var heldPerNode = new Dictionary<string, CapacityUnits>(StringComparer.Ordinal);
        foreach (var status in statuses)
        {
            // Every accepted participant is in its conference, and nobody else is.
            Assert.Equal(
                calls.Where(c => c.Conference == status.Name && accepted.Contains(c.Participant)).Select(c => c.Participant).Order().ToList(),
                status.Participants.Select(p => p.ParticipantId).Order().ToList());
            foreach (var (location, media) in status.MediaNodes.GroupBy(m => m.Location).Select(g => (g.Key, g.ToList())))
            {
                // ≤ 3 media nodes per location per conference (R30), exactly one intermediary per location in use (R37).
                Assert.InRange(media.Count, 1, MediaAllocator.MaxTranscodingNodesPerLocationPerConference);
                Assert.Equal(status.Intermediaries[location], Assert.Single(media, m => m.IsIntermediary).Node);
                Assert.Equal(media.Count - 1, status.Backplanes.Count(b => b.Kind == BackplaneKind.Local && b.LocationA == location));
            }
            Assert.Equal(status.MediaNodes.Select(m => m.Location).Distinct().Count(), status.Intermediaries.Count);
            foreach (var media in status.MediaNodes)
                heldPerNode[media.Node] = heldPerNode.GetValueOrDefault(media.Node) + media.Held;
        }

        foreach (var node in nodes)
        {
            var report = await cluster.Node(node.Name).GetStatus();
            // Never overbooked, and the ledger holds exactly what the conferences say they hold: nothing leaked by a retry.
            Assert.True(report.Load <= report.Node.MediaCapacity, $"{node.Name}: {report.Load} > {report.Node.MediaCapacity}");
            Assert.Equal(heldPerNode.GetValueOrDefault(node.Name), report.Load);
            output.WriteLine($"{node.Name}: {report.LoadPercent}% loaded ({report.Load} of {report.Node.MediaCapacity}), {report.Conferences} conferences");
        }
        output.WriteLine($"reservations refused and re-allocated: {refusals}; joins that gave up racing: {gaveUp}");

        // And everyone hangs up at once: every unit comes back.
        await Task.WhenAll(calls.Where(c => accepted.Contains(c.Participant))
            .Select(c => cluster.GrainsOn(c.Signalling).GetGrain<IParticipantGrain>(c.Participant).Hangup()));
        foreach (var node in nodes)
            Assert.Equal(CapacityUnits.Zero, (await cluster.Node(node.Name).GetStatus()).Load);
    }

    [Fact]
    public async Task A_surge_into_one_conference_uses_at_most_three_nodes_of_a_location_while_two_stay_idle_L716_L2192()
    {
        var nodes = Enumerable.Range(1, 5).Select(i => NodeSpec.Transcoding($"Big0{i}", "Big", hdCalls: 5)).ToArray();
        await using var cluster = await ConferencingTestCluster.StartCoreAsync(await CreateStoreAsync(), null, null, GrainStorage, [new SystemLocation("Big")], nodes, ["town-hall"]);

        // 30 HD callers at once, signalling spread over all five nodes. Each node fits 4 calls + the reservation.
        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            cluster.DialAsync($"c{i:00}", "town-hall", nodes[i % nodes.Length].Name, CallMedia.Video)));

        Assert.Equal(3 * 4, results.Count(r => r.Accepted));
        Assert.All(results.Where(r => !r.Accepted), r => Assert.Equal(JoinRejectionReason.CapacityExceeded, r.Rejection));
        var status = await cluster.Conference("town-hall").GetStatus();
        Assert.Equal(3, status.MediaNodes.Count);
        Assert.Single(status.MediaNodes, m => m.IsIntermediary);
        foreach (var node in nodes)
        {
            var load = (await cluster.Node(node.Name).GetStatus()).Load;
            var hosting = status.MediaNodes.Any(m => m.Node == node.Name);
            Assert.Equal(hosting ? CapacityUnits.FromHdCalls(5) : CapacityUnits.Zero, load);
        }
    }
}
