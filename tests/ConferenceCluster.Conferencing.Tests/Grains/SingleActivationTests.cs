using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace ConferenceCluster.Conferencing.Tests.Grains;

/// <summary>
/// The worst bug this product can have is a conference split in two (DESIGN.md §4): a thousand first calls to one
/// conference, fired at once from three silos, meet one activation of its grain on Orleans.
/// </summary>
public sealed class SingleActivationTests
{
    [Fact]
    public async Task A_thousand_concurrent_first_calls_from_three_silos_meet_one_conference_activation()
    {
        NodeSpec[] nodes = [NodeSpec.Transcoding("A1", "A", 10), NodeSpec.Transcoding("A2", "A", 10), NodeSpec.Transcoding("A3", "A", 10)];
        await using var cluster = await ConferencingTestCluster.StartAsync([new SystemLocation("A")], nodes, "race");
        var silos = cluster.Live.ToList();

        using var start = new ManualResetEventSlim();
        var calls = Enumerable.Range(0, 1000).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await silos[i % silos.Count].Services.GetRequiredService<IGrainFactory>().GetGrain<IConferenceGrain>("race").GetStatus();
        })).ToList();
        start.Set();
        var answers = await Task.WhenAll(calls);

        Assert.All(answers, a => Assert.Equal("race", a.Name));
        var grainId = cluster.AnyGrains.GetGrain<IConferenceGrain>("race").GetGrainId();
        var activations = 0;
        foreach (var silo in silos)
        {
            var statistics = await silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0)
                .GetDetailedGrainStatistics(hostsIds: [silo.Address]);
            activations += statistics.Count(s => s.GrainId == grainId);
        }
        Assert.Equal(1, activations);
    }
}
