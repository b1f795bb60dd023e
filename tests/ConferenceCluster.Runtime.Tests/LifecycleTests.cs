using ConferenceCluster.Runtime.Membership;
using ConferenceCluster.Runtime.Testing;

namespace ConferenceCluster.Runtime.Tests;

public sealed class LifecycleTests
{
    [Fact]
    public async Task An_idle_activation_is_collected_and_the_next_call_activates_a_new_one()
    {
        await using var cluster = await Clusters.StartAsync(1);
        var grain = cluster.Silos[0].GrainFactory.GetGrain<ILifecycleGrain>("idle-" + Guid.NewGuid());
        var first = await grain.Id();
        await TestCluster.WaitUntilAsync(() => LifecycleGrain.Deactivations.Contains(first), TimeSpan.FromSeconds(20), "idle collection");
        var second = await grain.Id();
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task DeactivateOnIdle_ends_the_activation_after_the_current_turn()
    {
        await using var cluster = await Clusters.StartAsync(1);
        var grain = cluster.Silos[0].GrainFactory.GetGrain<ILifecycleGrain>("leave-" + Guid.NewGuid());
        var first = await grain.Id();
        await grain.Leave();
        await TestCluster.WaitUntilAsync(() => LifecycleGrain.Deactivations.Contains(first), TimeSpan.FromSeconds(10), "deactivation");
        Assert.NotEqual(first, await grain.Id());
    }

    [Fact]
    public async Task Timers_tick_as_turns_and_DelayDeactivation_keeps_the_activation()
    {
        await using var cluster = await Clusters.StartAsync(1);
        var grain = cluster.Silos[0].GrainFactory.GetGrain<ILifecycleGrain>("timer-" + Guid.NewGuid());
        var id = await grain.Id();
        await grain.StartTicking();
        await TestCluster.WaitUntilAsync(() => grain.Ticks().Result >= 5, TimeSpan.FromSeconds(10), "five ticks");
        Assert.Equal(id, await grain.Id());
    }

    [Fact]
    public async Task A_graceful_stop_deactivates_grains_and_leaves_the_table_as_dead()
    {
        await using var cluster = await Clusters.StartAsync(2);
        var leaving = cluster.Silos[1];
        var key = "stop-" + Guid.NewGuid();
        var grain = leaving.GrainFactory.GetGrain<ILifecycleGrain>(key);
        var id = await grain.Id();
        await cluster.StopSiloAsync(leaving);
        Assert.Contains(id, LifecycleGrain.Deactivations);
        var table = await cluster.Store.Membership.ReadAllAsync();
        Assert.Equal(SiloStatus.Dead, table.Find(leaving.Address)!.Entry.Status);
        await cluster.WaitForActiveSilosAsync(1);
        // The grain's directory entry went with it: the next call activates it on the survivor.
        Assert.NotEqual(id, await cluster.Silos[0].GrainFactory.GetGrain<ILifecycleGrain>(key).Id());
    }

    [Fact]
    public async Task Calls_keep_succeeding_while_the_silo_hosting_the_grain_leaves_gracefully()
    {
        await using var cluster = await Clusters.StartAsync(3);
        var (caller, leaving) = (cluster.Silos[0], cluster.Silos[1]);
        var key = "moving-" + Guid.NewGuid();
        Assert.Equal(leaving.Name, await leaving.GrainFactory.GetGrain<IEchoGrain>(key).WhereAmI());

        var grain = caller.GrainFactory.GetGrain<IEchoGrain>(key);
        var stop = cluster.StopSiloAsync(leaving);
        var hosts = new List<string>();
        while (!stop.IsCompleted)
            hosts.Add(await grain.WhereAmI());
        await stop;
        await cluster.WaitForActiveSilosAsync(2);
        for (var i = 0; i < 10; i++)
            hosts.Add(await grain.WhereAmI());

        Assert.NotEqual(leaving.Name, hosts[^1]);
        Assert.Contains(hosts[^1], cluster.Silos.Select(s => s.Name));
    }

    [Fact]
    public async Task Startup_tasks_run_once_the_silo_is_active_and_silo_metadata_reaches_the_other_silos()
    {
        await using var cluster = await Clusters.StartAsync(1);
        string? seenByStartupTask = null;
        var silo = await cluster.StartSiloAsync("edge-1",
            b => b.AddStartupTask(async (s, _) => seenByStartupTask = await s.GrainFactory.GetGrain<IEchoGrain>("startup").WhereAmI()),
            o => o.Metadata[Hosting.SiloMetadataKeys.Location] = "london");
        Assert.Equal("edge-1", seenByStartupTask);
        await TestCluster.WaitUntilAsync(
            () => cluster.Silos[0].Membership.Current.ActiveSilos.Any(e => e.SiloName == "edge-1" && e.GetMetadata("location") == "london"),
            TimeSpan.FromSeconds(10), "the new silo's metadata in the first silo's view");
        Assert.Equal(Membership.SiloStatus.Active, silo.Status);
    }

    [Fact]
    public async Task A_silo_declared_dead_by_the_others_stops_itself()
    {
        await using var cluster = await Clusters.StartAsync(3);
        var victim = cluster.Silos[2];
        // The table says Dead (as the other silos' votes would): the silo must notice and stop.
        var table = cluster.Store.Membership;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var data = await table.ReadAllAsync();
            var row = data.Find(victim.Address)!;
            var dead = row.Entry with { Status = SiloStatus.Dead };
            if (await table.UpdateRowAsync(dead, row.ETag, data.Version.Next())) break;
        }
        Assert.Equal(Hosting.SiloTermination.DeclaredDead, await victim.Terminated.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
