using System.Net.Sockets;
using ConferenceCluster.Runtime.Testing;

namespace ConferenceCluster.Runtime.Tests;

public sealed class ClientAndGatewayTests
{
    [Fact]
    public async Task A_client_calls_grains_through_a_gateway()
    {
        await using var cluster = await Clusters.StartAsync(2);
        var client = await cluster.CreateClientAsync();
        var counter = client.GetGrain<ICounterGrain>("client-counter");
        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => counter.Increment()));
        Assert.Equal(100, await counter.Get());
        Assert.Equal(100, await cluster.Silos[1].GrainFactory.GetGrain<ICounterGrain>("client-counter").Get());
    }

    [Fact]
    public async Task A_client_keeps_working_when_the_silo_it_was_connected_to_is_killed()
    {
        await using var cluster = await Clusters.StartAsync(3);
        var client = await cluster.CreateClientAsync();
        var key = "client-failover-" + Guid.NewGuid().ToString("N");
        await client.GetGrain<ISingletonGrain>(key).Touch();
        var gatewaySilo = cluster.Silos.Single(s => client.ConnectedGateway == $"127.0.0.1:{s.Details.GatewayPort}");

        await cluster.KillSiloAsync(gatewaySilo);

        // Calls after the kill succeed (on another gateway), whether or not the grain lived on the killed silo.
        // A call to a grain still registered on the killed silo may fail until the survivors declare it dead.
        await cluster.WaitForDeathAsync(gatewaySilo.Address);
        for (var i = 0; i < 20; i++)
            await client.GetGrain<ISingletonGrain>(key).Touch();
        Assert.NotEqual($"127.0.0.1:{gatewaySilo.Details.GatewayPort}", client.ConnectedGateway);
        Assert.NotEqual(gatewaySilo.Name, await client.GetGrain<ISingletonGrain>(key).WhereAmI());
    }

    [Fact]
    public async Task Garbage_on_the_silo_and_gateway_ports_closes_only_that_connection()
    {
        await using var cluster = await Clusters.StartAsync(2);
        var client = await cluster.CreateClientAsync();
        var counter = client.GetGrain<ICounterGrain>("garbage");
        await counter.Increment();
        var silo = cluster.Silos[0];
        var garbage = new List<byte[]>
        {
            "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(),
            new byte[] { 0xff, 0xff, 0xff, 0x7f, 1, 2, 3 },            // a huge length prefix
            new byte[] { 40, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, // a truncated handshake
            Enumerable.Range(0, 4096).Select(i => (byte)(i * 37)).ToArray(),
        };
        foreach (var port in new[] { silo.Address.Port, silo.Details.GatewayPort })
        {
            foreach (var bytes in garbage)
            {
                using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync("127.0.0.1", port);
                await socket.SendAsync(bytes);
                Assert.True(await ClosedByPeerAsync(socket), $"port {port} kept a garbage connection open");
            }
        }
        // Nothing else was touched: the silos serve, the client's own connection still works.
        await counter.Increment();
        Assert.Equal(2, await counter.Get());
        Assert.Equal(2, cluster.Silos.Count);
    }

    private static async Task<bool> ClosedByPeerAsync(Socket socket)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (read == 0) return true;
            }
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Events_published_on_one_silo_reach_subscribers_on_every_silo()
    {
        await using var cluster = await Clusters.StartAsync(3);
        var received = new System.Collections.Concurrent.ConcurrentBag<(string Silo, string Text)>();
        foreach (var silo in cluster.Silos)
        {
            var name = silo.Name;
            silo.Events.Subscribe<Payload>("roster", p =>
            {
                received.Add((name, p.Text));
                return Task.CompletedTask;
            });
        }
        await cluster.Silos[1].Events.PublishAsync("roster", new Payload("joined", [], []));
        await TestCluster.WaitUntilAsync(() => received.Count == 3, TimeSpan.FromSeconds(10), "three deliveries");
        Assert.Equal(cluster.Silos.Select(s => s.Name).Order(), received.Select(r => r.Silo).Order());
        Assert.All(received, r => Assert.Equal("joined", r.Text));
    }
}
