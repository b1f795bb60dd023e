using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Tests.Grains;
using Orleans.Runtime;

namespace ConferenceCluster.Silo.Tests.Api;

/// <summary>
/// A silo that leaves (gracefully or stopped without a leave) takes its own calls with it and nothing of the others':
/// every call signalled by a silo that stays keeps its call leg (its ParticipantGrain, still connected to the
/// conference) and every node that stays keeps its ledger. Orleans' default grain directory deactivated, on every silo,
/// the activations whose registration the departed silo held, about a third of them here; the silo host runs Orleans'
/// distributed directory, which recovers those registrations instead (docs/decisions.md, "Grain directory").
/// </summary>
public sealed class SiloLossTests
{
    private const int CallsPerSilo = 15;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_calls_and_ledgers_of_the_silos_that_stay_survive_another_silo_leaving(bool graceful)
    {
        // Silo C carries no media (it is full of other load) and signals no call: only its share of the directory, and
        // possibly the conference grain (restored elsewhere), go with it.
        NodeSpec[] nodes = [NodeSpec.Transcoding("A", "London", hdCalls: 10), NodeSpec.Transcoding("B", "London", hdCalls: 10), NodeSpec.Transcoding("C", "London", hdCalls: 10)];
        await using var cluster = await ApiTestCluster.StartAsync(graceful ? "loss-leave" : "loss-kill", nodes, [new SystemLocation("London")], "meet");
        await cluster.FillAsync("C");
        var calls = new List<(string Id, string Node)>();
        foreach (var node in new[] { "A", "B" })
            for (var i = 0; i < CallsPerSilo; i++)
            {
                var id = $"{node}-call-{i}";
                await cluster.AdmitAsync(id, "meet", node, CallMedia.Audio);
                calls.Add((id, node));
            }
        var loads = (A: await cluster.LoadUnitsAsync("A"), B: await cluster.LoadUnitsAsync("B"));
        var c = cluster.Hosts["C"];
        var cAddress = c.Silo.Address;

        if (graceful) await c.StopAsync();
        else await c.KillAsync();
        await Eventually.TrueAsync(() => new[] { "A", "B" }.All(n => cluster.Hosts[n].Silo.Membership.GetSiloStatus(cAddress) == SiloStatus.Dead),
            "A and B to see C dead");

        var lost = new List<string>();
        foreach (var (id, node) in calls)
        {
            var leg = await cluster.GrainsOn(node).GetGrain<IParticipantGrain>(id).GetStatus();
            if (leg is not { State: CallLegState.Connected, Conference: "meet" }) lost.Add($"{id}: {leg.State}");
        }
        Assert.True(lost.Count == 0, $"{lost.Count} of {calls.Count} call legs lost: {string.Join(", ", lost)}");
        Assert.Equal(calls.Select(c => c.Id).Order(), (await cluster.ParticipantsAsync()).Keys.Order());
        Assert.Equal(loads, (await cluster.LoadUnitsAsync("A"), await cluster.LoadUnitsAsync("B")));
    }
}
