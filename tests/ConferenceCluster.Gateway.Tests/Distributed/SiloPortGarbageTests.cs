using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Tests.Grains;
using ConferenceCluster.Gateway.Tests.Distributed.Support;
using ConferenceCluster.Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Xunit.Abstractions;

namespace ConferenceCluster.Gateway.Tests.Distributed;

/// <summary>
/// Issue 12, "Bad input and faults": garbage on a silo's Orleans ports (silo-to-silo and client gateway) closes only
/// the connection it came on. Every silo of a two-silo cluster is sent junk on both ports, each junk connection is
/// closed by the silo, and the cluster goes on: both silos still see each other active, and a call signalled on one
/// silo with its media on the other (grain calls across the silo port) is answered and joins the conference.
/// </summary>
public sealed class SiloPortGarbageTests(ITestOutputHelper output)
{
    private const int Seed = 20261207;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>Junk a connection may carry: random bytes, another protocol, and Orleans-shaped length prefixes around nonsense.</summary>
    private static IEnumerable<(string What, byte[] Bytes)> Junk(Random random)
    {
        var noise = new byte[700];
        random.NextBytes(noise);
        yield return ("700 random bytes", noise);
        yield return ("an HTTP request", Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        var huge = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(huge, int.MaxValue);
        yield return ("a length prefix of 2^31-1", huge);
        var small = new byte[4 + 64];
        BinaryPrimitives.WriteInt32LittleEndian(small, 64);
        random.NextBytes(small.AsSpan(4));
        yield return ("a 64-byte preamble of random bytes", small);
    }

    [Fact]
    public async Task Garbage_on_the_silo_and_gateway_ports_closes_only_that_connection_and_calls_go_on()
    {
        output.WriteLine($"seed {Seed}");
        NodeSpec[] nodes = [new("TA1", "A", NodeRole.Transcoding, 100), new("TA2", "A", NodeRole.Transcoding, 90)];
        await using var cluster = await GatewayCluster.StartAsync("port-garbage", nodes, [SeedScenarios.Location("A")], SeedScenarios.Conference);
        var callers = new List<ToneCaller>();
        try
        {
            var random = new Random(Seed);
            foreach (var node in nodes.Select(n => n.Name))
            {
                var endpoints = cluster[node].Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
                foreach (var (port, kind) in new[] { (endpoints.SiloPort, "silo"), (endpoints.GatewayPort, "gateway") })
                    foreach (var (what, bytes) in Junk(random))
                        Assert.True(await SendAndSeeClosedAsync(port, bytes), $"{node}'s {kind} port {port} kept the connection open after {what}");
            }

            foreach (var node in nodes.Select(n => n.Name))
                Assert.Equal(2, cluster[node].Host.Silo.Membership.Members.Values.Count(m => m.Status == SiloStatus.Active));
            // Signalled on TA2, media on TA1 (the most available node, R21): the silos call each other's grains.
            callers.Add(await cluster.CallAsync("x", 440, "TA2"));
            Assert.Equal(("TA2", null, "TA1"), await cluster.PlacementOfAsync(callers[^1]));
            callers.Add(await cluster.CallAsync("y", 620, "TA1"));
            Assert.Equal(2, (await cluster.StatusAsync()).Participants.Count);
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message}\n{cluster.Logs()}", ex);
        }
        finally
        {
            foreach (var caller in callers) await caller.DisposeAsync();
        }
    }

    /// <summary>Writes the junk on a fresh connection; true once the silo has closed it (end of stream or reset), false if it is still open at the bound.</summary>
    private static async Task<bool> SendAndSeeClosedAsync(int port, byte[] junk)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        using var timeout = new CancellationTokenSource(Bound);
        try
        {
            await stream.WriteAsync(junk, timeout.Token);
            var buffer = new byte[4096];
            while (await stream.ReadAsync(buffer, timeout.Token) > 0)
            {
                // whatever the silo says before it closes (nothing, so far) is not an answer to junk
            }
            return true;
        }
        catch (IOException)
        {
            return true; // reset by the silo
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
