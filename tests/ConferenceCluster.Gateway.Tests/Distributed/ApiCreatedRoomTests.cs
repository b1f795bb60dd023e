using System.Net;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Tests.Grains;
using ConferenceCluster.Gateway.Tests.Distributed.Support;
using ConferenceCluster.Gateway.Tests.Support;

namespace ConferenceCluster.Gateway.Tests.Distributed;

/// <summary>
/// Issue 12 item 6: a VMR created through the management API is callable at once on the silo that answered 201, as a
/// new user tries it (create, then call straight away), whichever silo of the cluster holds the new conference's grain.
/// Before, such a call got 404 Not Found for the first half second, until the silo's configuration poll.
/// </summary>
public sealed class ApiCreatedRoomTests
{
    private const int Rooms = 6;

    [Fact]
    public async Task A_room_created_through_the_API_answers_a_call_to_the_silo_that_created_it_at_once()
    {
        NodeSpec[] nodes = [new("TA1", "A", NodeRole.Transcoding, 100), new("TA2", "A", NodeRole.Transcoding, 100)];
        await using var cluster = await GatewayCluster.StartAsync("api-created-room", nodes, [SeedScenarios.Location("A")], SeedScenarios.Conference);
        try
        {
            for (var i = 0; i < Rooms; i++)
            {
                var node = nodes[i % nodes.Length].Name;
                var room = $"fresh-room-{i}";
                Assert.Equal(HttpStatusCode.Created, await cluster.PostAsync("/api/admin/configuration/v1/conference/",
                    new { name = room, aliases = new[] { new { alias = room } } }, node));

                using var caller = new RawSipClient(cluster[node].SipPort);
                var invite = caller.Invite(room, $"{Guid.NewGuid():N}@fresh", RawSipClient.AudioOffer(31000 + i, "8", "8 PCMA/8000"));
                var answer = await caller.RequestAsync(invite, TimeSpan.FromSeconds(10));

                Assert.True(answer is not null && SipText.StatusCode(answer) == 200, $"{room} at {node}: {answer ?? "no answer"}");
                await caller.AckAsync(invite, answer!);
                Assert.Equal(200, SipText.StatusCode(await caller.ByeAsync(invite, answer!, TimeSpan.FromSeconds(10)) ?? ""));
            }
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message}\n{cluster.Logs()}", ex);
        }
    }
}
