using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Conferencing.Tests.Grains;

/// <summary>
/// The conference grain hands every change of its backplane topology to <see cref="IBackplaneWiring"/> (R34–R38):
/// what the wiring was told to open, minus what it was told to close, is always the topology the status shows, through
/// joins, leaves, a failed intermediary (re-election, Q6) and the takeover of a conference whose own silo died.
/// </summary>
public class BackplaneWiringGrainTests
{
    private const string Conference = "meet.wiring@example.com";

    /// <summary>Every silo's conference grains report to this one recorder; it keeps the backplanes it was told are open.</summary>
    private sealed class RecordingWiring : IBackplaneWiring
    {
        private readonly Lock _gate = new();
        private readonly HashSet<(BackplaneKind, string, string)> _open = [];

        public int Calls { get; private set; }

        public Task ApplyAsync(string conference, BackplaneChanges changes)
        {
            lock (_gate)
            {
                Calls++;
                foreach (var b in changes.ToRemove) _open.Remove((b.Kind, b.NodeA, b.NodeB));
                foreach (var b in changes.ToCreate) _open.Add((b.Kind, b.NodeA, b.NodeB));
            }
            return Task.CompletedTask;
        }

        public HashSet<(BackplaneKind, string, string)> Open
        {
            get { lock (_gate) return [.. _open]; }
        }
    }

    private static SystemLocation Location(string name) => new(name);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_wiring_follows_joins_leaves_a_dead_intermediary_and_a_takeover_R37_L2168_L2226(bool killTheConferencesOwnSilo)
    {
        var wiring = new RecordingWiring();
        // The conference's state on PostgreSQL: Orleans' memory storage keeps it in a grain that may die with the killed silo.
        await using var cluster = await ConferencingTestCluster.StartCoreAsync(null, null, services => services.AddSingleton<IBackplaneWiring>(wiring),
            PostgresGrainStorage.Configure, [Location("A"), Location("B")],
            [
                NodeSpec.Transcoding("A1", "A", hdCalls: 3), NodeSpec.Transcoding("A2", "A", hdCalls: 2), NodeSpec.Transcoding("A3", "A", hdCalls: 2),
                NodeSpec.Transcoding("B1", "B", hdCalls: 5),
            ],
            [Conference]);

        async Task AssertWiredAsTheStatusSays()
        {
            var status = await cluster.Conference(Conference).GetStatus();
            Assert.Equal(GrainWorkedScenarioTests.Backplanes(status), wiring.Open);
        }

        Assert.Equal("A1", (await cluster.AdmitAsync("p1", Conference, "A3")).MediaNode);
        await AssertWiredAsTheStatusSays();
        Assert.Empty(wiring.Open); // one media node: nothing to carry
        Assert.Equal("A1", (await cluster.AdmitAsync("p2", Conference, "A3")).MediaNode);
        Assert.Equal("A2", (await cluster.AdmitAsync("p3", Conference, "A2")).MediaNode);
        Assert.Equal("B1", (await cluster.AdmitAsync("p4", Conference, "B1")).MediaNode);
        await AssertWiredAsTheStatusSays();
        Assert.Equal(new HashSet<(BackplaneKind, string, string)> { (BackplaneKind.Local, "A1", "A2"), (BackplaneKind.Geo, "A1", "B1") }, wiring.Open);

        var victim = killTheConferencesOwnSilo ? await cluster.ConferenceGrainNodeAsync(Conference) : "A1";
        var callsBefore = wiring.Calls;
        await cluster.KillAsync(victim);

        // The status call itself drops the dead node (and restores the conference first if its silo was the one that died).
        await ConferencingTestCluster.WaitUntilAsync(() => cluster.Conference(Conference).GetStatus().Result.MediaNodes.All(m => m.Node != victim),
            TimeSpan.FromSeconds(30), $"{victim} to be dropped");
        await AssertWiredAsTheStatusSays();
        Assert.True(wiring.Calls > callsBefore, "the change after the failure was not handed to the wiring");
        if (victim == "A1")
            Assert.Contains((BackplaneKind.Geo, "A2", "B1"), wiring.Open); // A2 re-elected (Q6)

        foreach (var p in (await cluster.Conference(Conference).GetStatus()).Participants)
            await cluster.Conference(Conference).Leave(p.ParticipantId);
        Assert.Empty(wiring.Open);
    }
}
