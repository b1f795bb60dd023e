using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Gateway.Tests.Support;

namespace ConferenceCluster.Gateway.Tests;

/// <summary>
/// Maintenance mode (R-NODE-4, seed ops L11666–11707) and the drain on SIGTERM, over real UDP to a real silo:
/// new calls get 503 + Retry-After and join nothing, calls already up continue, <c>/api/client/v2/status</c>
/// tells load balancers. No timing assertions: every wait is bounded and only fails the test when it runs out.
/// </summary>
public sealed class MaintenanceTests
{
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(10);
    private const string Password = "maintenance tests password";

    private static string PcmaOffer(int port) => RawSipClient.AudioOffer(port, "8 101", "8 PCMA/8000", "101 telephone-event/8000");

    private static string NewCallId() => Guid.NewGuid().ToString("N") + "@maintenance-tests";

    [Fact]
    public async Task Maintenance_mode_refuses_new_calls_keeps_existing_ones_and_status_says_so()
    {
        await using var silo = await GatewaySilo.StartAsync(new Dictionary<string, string?> { ["Admin:Password"] = Password });
        using var http = Http(silo);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/client/v2/status")).StatusCode);

        // A call established before maintenance mode.
        using var existing = new RawSipClient(silo.SipPort);
        var existingInvite = existing.Invite("demo", NewCallId(), PcmaOffer(30010));
        var existingOk = await existing.RequestAsync(existingInvite, Answer);
        Assert.True(existingOk is not null && SipText.StatusCode(existingOk) == 200, existingOk + "\n--- silo\n" + silo.Logs.Tail());
        await existing.AckAsync(existingInvite, existingOk);
        Assert.Single((await silo.ConferenceStatusAsync("demo")).Participants);

        // The operator puts the node into maintenance through the management API.
        var node = await WorkerVmUriAsync(http, silo.Name);
        var patch = await http.PatchAsync(node, Json(new { maintenance_mode = true }));
        Assert.True(patch.IsSuccessStatusCode, $"{patch.StatusCode}: {await patch.Content.ReadAsStringAsync()}");
        var status = await WaitForStatusAsync(http, HttpStatusCode.ServiceUnavailable);
        Assert.True(status.GetProperty("result").GetProperty("maintenance_mode").GetBoolean());
        Assert.Equal("success", status.GetProperty("status").GetString());

        // A new call: 503 + Retry-After, nobody joins (the PIN room offers no PIN entry screen either).
        foreach (var alias in new[] { "demo", "demo-pin" })
        {
            using var caller = new RawSipClient(silo.SipPort);
            var invite = caller.Invite(alias, NewCallId(), PcmaOffer(30020));
            var refused = await caller.RequestAsync(invite, Answer);
            Assert.NotNull(refused);
            Assert.Equal(503, SipText.StatusCode(refused));
            Assert.Contains("Maintenance", refused.Split("\r\n")[0], StringComparison.OrdinalIgnoreCase);
            Assert.NotNull(SipText.Header(refused, "Retry-After"));
            await caller.AckAsync(invite, refused);
        }
        Assert.Equal(1, silo.Gateway.ActiveCalls);

        // The existing call continues: its conference still has it.
        Assert.Single((await silo.ConferenceStatusAsync("demo")).Participants);

        // The conference grain places no new media on the node either, whoever asks (not only the SIP gateway).
        var join = await silo.Grains.GetGrain<IParticipantGrain>("direct-" + Guid.NewGuid().ToString("N"))
            .Dial(new CallRequest("demo", CallMedia.Audio, ParticipantRole.Host, "direct"));
        Assert.False(join.Accepted);
        Assert.Equal(JoinRejectionReason.SignalingNodeInMaintenance, join.Rejection);
        Assert.Single((await silo.ConferenceStatusAsync("demo")).Participants);

        // Out of maintenance: status 200 again and new calls are taken.
        patch = await http.PatchAsync(node, Json(new { maintenance_mode = false }));
        Assert.True(patch.IsSuccessStatusCode, $"{patch.StatusCode}: {await patch.Content.ReadAsStringAsync()}");
        status = await WaitForStatusAsync(http, HttpStatusCode.OK);
        Assert.False(status.GetProperty("result").GetProperty("maintenance_mode").GetBoolean());
        using (var caller = new RawSipClient(silo.SipPort))
        {
            var invite = caller.Invite("demo", NewCallId(), PcmaOffer(30030));
            var ok = await caller.RequestAsync(invite, Answer);
            Assert.True(ok is not null && SipText.StatusCode(ok) == 200, ok + "\n--- silo\n" + silo.Logs.Tail());
            await caller.AckAsync(invite, ok);
            Assert.Equal(2, (await silo.ConferenceStatusAsync("demo")).Participants.Count);
            Assert.Equal(200, SipText.StatusCode(await caller.ByeAsync(invite, ok, Answer) ?? ""));
        }
        Assert.Equal(200, SipText.StatusCode(await existing.ByeAsync(existingInvite, existingOk, Answer) ?? ""));
    }

    [Fact]
    public async Task Sigterm_drains_until_the_last_call_ends_then_the_host_exits_0()
    {
        await using var silo = await GatewaySilo.RunAsync(new Dictionary<string, string?> { ["Silo:DrainTimeout"] = "00:05:00" });
        using var http = Http(silo);

        using var existing = new RawSipClient(silo.SipPort);
        var existingInvite = existing.Invite("demo", NewCallId(), PcmaOffer(30040));
        var existingOk = await existing.RequestAsync(existingInvite, Answer);
        Assert.True(existingOk is not null && SipText.StatusCode(existingOk) == 200, existingOk + "\n--- silo\n" + silo.Logs.Tail());
        await existing.AckAsync(existingInvite, existingOk);

        // SIGTERM's path: the ASP.NET lifetime's ApplicationStopping, which RunAsync waits for.
        silo.Terminate();
        var status = await WaitForStatusAsync(http, HttpStatusCode.ServiceUnavailable);
        Assert.True(status.GetProperty("result").GetProperty("draining").GetBoolean());

        using (var caller = new RawSipClient(silo.SipPort))
        {
            var invite = caller.Invite("demo", NewCallId(), PcmaOffer(30050));
            var refused = await caller.RequestAsync(invite, Answer);
            Assert.NotNull(refused);
            Assert.Equal(503, SipText.StatusCode(refused));
            Assert.NotNull(SipText.Header(refused, "Retry-After"));
            await caller.AckAsync(invite, refused);
        }

        // The call is still up, so the host is still running (draining), and the call still in its conference.
        Assert.False(silo.Run!.IsCompleted, silo.Logs.Tail());
        Assert.Single((await silo.ConferenceStatusAsync("demo")).Participants);

        // The caller hangs up: the drain ends and the host leaves and exits 0.
        Assert.Equal(200, SipText.StatusCode(await existing.ByeAsync(existingInvite, existingOk, Answer) ?? ""));
        var exited = await Task.WhenAny(silo.Run, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(exited == silo.Run, "the host did not stop after the last call ended\n" + silo.Logs.Tail());
        Assert.Equal(0, await silo.Run);
        Assert.Contains(silo.Logs.Lines, l => l.Contains("Drained: no calls left", StringComparison.Ordinal));
    }

    private static HttpClient Http(GatewaySilo silo)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{silo.HttpPort}"), Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{Password}")));
        return client;
    }

    /// <summary>The node's resource_uri in the management API (ids are numbers, as in Pexip's).</summary>
    private static async Task<string> WorkerVmUriAsync(HttpClient http, string name)
    {
        var list = JsonDocument.Parse(await http.GetStringAsync("/api/admin/configuration/v1/worker_vm/")).RootElement;
        return list.GetProperty("objects").EnumerateArray()
            .Single(o => o.GetProperty("name").GetString() == name)
            .GetProperty("resource_uri").GetString()!;
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    /// <summary>Waits (bounded) until <c>/api/client/v2/status</c> answers <paramref name="wanted"/>; returns its body.</summary>
    private static async Task<JsonElement> WaitForStatusAsync(HttpClient http, HttpStatusCode wanted)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var response = await http.GetAsync("/api/client/v2/status");
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == wanted)
                return JsonDocument.Parse(body).RootElement.Clone();
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"/api/client/v2/status stayed {(int)response.StatusCode}: {body}");
            await Task.Delay(100);
        }
    }
}
