using System.Net;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Tests.Grains;
using ConferenceCluster.Gateway.Tests.Distributed.Support;
using Xunit.Abstractions;

namespace ConferenceCluster.Gateway.Tests.Distributed;

/// <summary>
/// A silo that leaves gracefully (SIGTERM after its drain) takes the conference grain it hosts with it, as a killed one
/// does: the conference carries on from its instance record on a silo that stays, with the participants signalled by
/// the silos that stay, their media placed again when it was on the leaving silo (issue 6 item 2).
/// </summary>
public sealed class GracefulLeaveTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_silo_hosting_the_conference_grain_leaves_gracefully_the_conference_and_the_others_calls_carry_on()
    {
        NodeSpec[] nodes = [new("TA1", "A", NodeRole.Transcoding, 100), new("TA2", "A", NodeRole.Transcoding, 90), new("TA3", "A", NodeRole.Transcoding, 80)];
        await using var cluster = await GatewayCluster.StartAsync("graceful-leave", nodes, [SeedScenarios.Location("A")], SeedScenarios.Conference);
        var callers = new List<ToneCaller>();
        try
        {
            // The grain's silo is the hash of its key over the silos: known once a status call has activated it.
            await cluster.StatusAsync();
            var leaving = await cluster.ConferenceGrainNodeAsync();
            var staying = nodes.Where(n => n.Name != leaving).ToList();
            // Other conferences' load on the nodes that stay makes the leaving one the most available: the media goes there (R21).
            foreach (var node in staying)
                await cluster.LoadAsync(node.Name, MediaCosts.AudioCall * (node.CapacityAudioCalls - 40));
            var x = await cluster.CallAsync("x", 440, staying[0].Name);
            callers.Add(x);
            var y = await cluster.CallAsync("y", 620, staying[1].Name);
            callers.Add(y);
            var z = await cluster.CallAsync("z", 830, leaving);
            callers.Add(z);
            output.WriteLine($"conference grain on {leaving}; x {await cluster.PlacementOfAsync(x)}, y {await cluster.PlacementOfAsync(y)}, z {await cluster.PlacementOfAsync(z)}");
            var yId = (await cluster.StatusAsync()).Participants.Single(p => p.Leg?.RemoteAddress == $"127.0.0.1:{y.SipPort}").ParticipantId;
            var placements = new Dictionary<ToneCaller, (string Node, string? ProxyNode, string MediaNode)>();
            foreach (var caller in callers) placements[caller] = await cluster.PlacementOfAsync(caller);
            var signalledByStaying = callers.Where(c => placements[c].Node != leaving).ToList();
            var moving = signalledByStaying.Where(c => placements[c].MediaNode == leaving).ToList();

            await cluster.LeaveAsync(leaving);
            // Those whose media was on the leaving silo are placed again and re-INVITEd by their signalling silo.
            Assert.Equal(2, moving.Count);
            var reInvites = await Task.WhenAll(moving.Select(c => c.AcceptReInviteAsync(TimeSpan.FromSeconds(10))));
            Assert.All(reInvites, Assert.NotNull);

            // The callers of the silos that stay are still in the conference, shown by the status API, on nodes that stay.
            await GatewayCluster.WaitUntilAsync(async () =>
            {
                var listed = (await cluster.GetAsync($"/api/admin/status/v1/participant/?conference={SeedScenarios.Conference}&limit=0"))
                    .GetProperty("objects").EnumerateArray().ToList();
                return listed.Count == signalledByStaying.Count && listed.All(p => p.GetProperty("media_node").GetString() != leaving && p.GetProperty("node").GetString() != leaving);
            }, "the calls of the silos that stay in the participant status");
            var matrix = await ListenAsync(signalledByStaying);
            output.WriteLine(matrix.ToString());
            matrix.AssertEveryoneHearsEveryOtherOnce();

            // An operator can still disconnect one: the conference (restored elsewhere) hangs it up.
            Assert.Equal(HttpStatusCode.Accepted, await cluster.PostAsync("/api/admin/command/v1/participant/disconnect/", new { participant_id = yId }));
            // The ACK of its re-INVITE's answer may come first: a few messages, bounded.
            string? bye = null;
            for (var i = 0; i < 5 && bye?.StartsWith("BYE ", StringComparison.Ordinal) != true; i++)
                bye = await y.ReceiveAsync(TimeSpan.FromSeconds(10));
            Assert.True(bye?.StartsWith("BYE ", StringComparison.Ordinal) == true, $"y got no BYE: {bye}");
            Assert.NotEqual(leaving, await cluster.ConferenceGrainNodeAsync());
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

    private static async Task<HearingMatrix> ListenAsync(IReadOnlyList<ToneCaller> callers)
    {
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var from = DateTime.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        return HearingMatrix.Measure(callers, from, DateTime.UtcNow);
    }
}
