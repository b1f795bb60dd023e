using ConferenceCluster.Runtime.Core;

namespace ConferenceCluster.Runtime.Tests;

public sealed class GrainCallTests
{
    [Fact]
    public async Task Calls_on_the_same_and_another_silo_carry_arguments_and_results()
    {
        await using var cluster = await Clusters.StartAsync(2);
        var payload = new Payload("héllo", [1, 2, 3], new() { ["x"] = 1.5 });
        foreach (var silo in cluster.Silos)
        {
            for (var i = 0; i < 10; i++)
            {
                var echo = silo.GrainFactory.GetGrain<IEchoGrain>($"echo-{i}");
                var back = await echo.Echo(payload);
                Assert.Equal(payload.Text, back.Text);
                Assert.Equal(payload.Numbers, back.Numbers);
                Assert.Equal(1.5, back.Map["x"]);
                Assert.Equal(7, await echo.Add(3, 4));
                await echo.Nothing();
            }
        }
    }

    [Fact]
    public async Task A_grain_exception_reaches_a_remote_caller_with_its_type_name_and_message()
    {
        await using var cluster = await Clusters.StartAsync(2);
        var (first, second) = (cluster.Silos[0], cluster.Silos[1]);
        // Prefer-local: the grain activates on the first silo; the second silo's call crosses the wire.
        await first.GrainFactory.GetGrain<IEchoGrain>("thrower").Nothing();
        var ex = await Assert.ThrowsAsync<GrainCallException>(() => second.GrainFactory.GetGrain<IEchoGrain>("thrower").Throw("boom"));
        Assert.Equal(typeof(ArgumentOutOfRangeException).FullName, ex.RemoteExceptionType);
        Assert.Contains("boom", ex.RemoteMessage);

        // A local caller gets the original exception.
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => first.GrainFactory.GetGrain<IEchoGrain>("thrower").Throw("boom"));
    }

    [Fact]
    public async Task Concurrent_calls_to_one_grain_never_interleave()
    {
        await using var cluster = await Clusters.StartAsync(2);
        var calls = cluster.Silos.SelectMany(silo => Enumerable.Range(0, 500)
            .Select(_ => silo.GrainFactory.GetGrain<ICounterGrain>("turns").Increment()));
        await Task.WhenAll(calls);
        Assert.Equal(1000, await cluster.Silos[0].GrainFactory.GetGrain<ICounterGrain>("turns").Get());
    }

    [Fact]
    public async Task One_way_calls_are_executed_without_waiting()
    {
        await using var cluster = await Clusters.StartAsync(2);
        var local = cluster.Silos[0].GrainFactory.GetGrain<ICounterGrain>("oneway");
        await local.Get();
        var remote = cluster.Silos[1].GrainFactory.GetGrain<ICounterGrain>("oneway");
        for (var i = 0; i < 20; i++) await remote.IncrementOneWay();
        await Testing.TestCluster.WaitUntilAsync(() => local.Get().Result == 20, TimeSpan.FromSeconds(10), "20 one-way increments");
    }

    [Fact]
    public async Task A_call_with_no_response_fails_with_a_timeout_and_the_silo_keeps_serving()
    {
        var options = Clusters.Options(2);
        var configure = options.ConfigureSilo!;
        options.ConfigureSilo = b => configure(b.ConfigureMessaging(o => o.ResponseTimeout = TimeSpan.FromMilliseconds(500)));
        await using var cluster = await Testing.TestCluster.StartAsync(options);
        await cluster.Silos[0].GrainFactory.GetGrain<IEchoGrain>("hang").Nothing();
        await Assert.ThrowsAsync<TimeoutException>(() => cluster.Silos[1].GrainFactory.GetGrain<IEchoGrain>("hang").Hang());
        Assert.Equal(5, await cluster.Silos[1].GrainFactory.GetGrain<IEchoGrain>("other").Add(2, 3));
    }

    [Fact]
    public async Task Prefer_local_grains_activate_on_the_calling_silo_and_pinned_grains_on_their_named_silo()
    {
        await using var cluster = await Clusters.StartAsync(3);
        foreach (var caller in cluster.Silos)
        {
            Assert.Equal(caller.Name, await caller.GrainFactory.GetGrain<IEchoGrain>($"local-{caller.Name}").WhereAmI());
            foreach (var target in cluster.Silos)
                Assert.Equal(target.Name, await caller.GrainFactory.GetGrain<IPinnedGrain>(target.Name).SiloName());
        }
        await Assert.ThrowsAsync<SiloUnavailableException>(() => cluster.Silos[0].GrainFactory.GetGrain<IPinnedGrain>("no-such-silo").SiloName());
    }

    [Fact]
    public async Task Calls_made_inside_a_grain_reach_other_grains()
    {
        await using var cluster = await Clusters.StartAsync(2);
        var where = await cluster.Silos[0].GrainFactory.GetGrain<IEchoGrain>("caller").CallOther("callee");
        Assert.Contains(where, cluster.Silos.Select(s => s.Name));
    }
}
