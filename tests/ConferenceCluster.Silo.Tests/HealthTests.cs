using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using ConferenceCluster.Gateway.Sip;
using ConferenceCluster.Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Runtime;

namespace ConferenceCluster.Silo.Tests;

public class HealthTests
{
    [Fact]
    public async Task Health_is_ok_while_the_silo_is_active()
    {
        await using var host = await TestSilos.StartAsync(new Dictionary<string, string?> { ["Silo:Name"] = "h1" });
        using var http = TestSilos.Http(host);

        var response = await http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal("active", body.GetProperty("silo_status").GetString());
        Assert.Equal("h1", body.GetProperty("silo").GetString());
    }

    /// <summary>
    /// Issue 12 item 7: a node answers only once it can serve. While its silo joins, its HTTP port refuses connections (a
    /// load balancer or a Kubernetes startup probe sends it nothing); once the silo is active and ready, <c>/health</c>,
    /// <c>/health/ready</c> and <c>/health/live</c> say ok.
    /// </summary>
    [Fact]
    public async Task Health_is_refused_until_the_silo_has_joined_then_ok()
    {
        var gate = new JoinGate();
        await using var host = TestSilos.Create(configureSilo: gate.Install);
        var starting = host.StartAsync();
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(60));
        using var http = TestSilos.Http(host);

        var whileJoining = await Record.ExceptionAsync(() => http.GetAsync("/health"));
        gate.Release();
        await starting;
        var after = new[] { await http.GetAsync("/health"), await http.GetAsync("/health/ready"), await http.GetAsync("/health/live") };

        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(Assert.IsType<HttpRequestException>(whileJoining).InnerException).SocketErrorCode);
        Assert.All(after, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal("ok", (await after[0].Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Client_status_is_refused_until_the_node_takes_calls_then_200_without_auth()
    {
        var gate = new JoinGate();
        await using var host = TestSilos.Create(new Dictionary<string, string?> { ["Silo:Name"] = "cs1", ["Silo:Capacity:AudioCalls"] = "100" },
            configureSilo: gate.Install);
        var starting = host.StartAsync();
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(60));
        using var http = TestSilos.Http(host);

        var before = await Record.ExceptionAsync(() => http.GetAsync("/api/client/v2/status"));
        gate.Release();
        await starting;
        var after = await http.GetAsync("/api/client/v2/status");

        Assert.IsType<HttpRequestException>(before);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var body = await after.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("success", body.GetProperty("status").GetString());
        Assert.False(body.GetProperty("result").GetProperty("maintenance_mode").GetBoolean());
        Assert.False(body.GetProperty("result").GetProperty("draining").GetBoolean());
        Assert.Equal("cs1", body.GetProperty("result").GetProperty("silo").GetString());
    }

    /// <summary>
    /// Issue 12 item 7, live vs ready: a node draining before it stops (SIGTERM with a call up) is alive (<c>/health/live</c>
    /// 200: do not restart it) but not ready (<c>/health</c>, <c>/health/ready</c>, <c>/api/client/v2/status</c> 503: send
    /// it no new calls) until its last call ends and it leaves.
    /// </summary>
    [Fact]
    public async Task While_draining_the_silo_is_live_but_not_ready()
    {
        await using var host = TestSilos.Create(new Dictionary<string, string?>
        {
            ["Silo:Name"] = "drainer",
            ["Demo:Enabled"] = "true",
            ["Silo:Capacity:AudioCalls"] = "100",
            ["Silo:Ports:MediaRange"] = "43100-43199",
            ["Silo:DrainTimeout"] = "00:05:00",
        });
        using var stop = new CancellationTokenSource();
        var run = host.RunAsync(stop.Token);
        await host.ServingAsync(run);
        using var http = TestSilos.Http(host);
        using var caller = new RawSipClient(host.Services.GetRequiredService<SipGateway>().SipPort);
        var invite = caller.Invite("demo", $"{Guid.NewGuid():N}@drain", RawSipClient.AudioOffer(30200, "8", "8 PCMA/8000"));
        var ok = await caller.RequestAsync(invite, TimeSpan.FromSeconds(10));
        Assert.True(ok is not null && SipText.StatusCode(ok) == 200, ok ?? "no answer");
        await caller.AckAsync(invite, ok!);

        stop.Cancel();
        await Eventually.TrueAsync(async () => (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable, "readiness to drop");
        var health = await http.GetAsync("/health");
        var live = await http.GetAsync("/health/live");
        var clientStatus = await http.GetAsync("/api/client/v2/status");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, clientStatus.StatusCode);
        Assert.True((await clientStatus.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("result").GetProperty("draining").GetBoolean());
        Assert.False(run.IsCompleted);

        Assert.Equal(200, SipText.StatusCode(await caller.ByeAsync(invite, ok!, TimeSpan.FromSeconds(10)) ?? ""));
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    /// <summary>
    /// Issue 12 item 7: a call sent the moment <c>/health/ready</c> first says ok is answered 200, never 404 (the demo
    /// rooms were once created after the silo said it was up, and such a call got 404 Not Found). Three fresh silos,
    /// each asked as a load balancer would: poll readiness, then call at once.
    /// </summary>
    [Fact]
    public async Task A_call_sent_as_soon_as_the_silo_reports_ready_finds_its_rooms()
    {
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await using var host = TestSilos.Create(new Dictionary<string, string?>
            {
                ["Silo:Name"] = $"ready{attempt}",
                ["Demo:Enabled"] = "true",
                ["Silo:Capacity:AudioCalls"] = "100",
                ["Silo:Ports:MediaRange"] = "43000-43099",
            });
            var starting = host.StartAsync();
            await Eventually.TrueAsync(() => host.HttpPort != 0 || starting.IsFaulted, "the HTTP port to be chosen");
            using var http = TestSilos.Http(host);
            await Eventually.TrueAsync(async () => !starting.IsFaulted && await IsReadyAsync(http), $"silo {attempt} to report ready", timeoutSeconds: 60);

            var sipPort = host.Services.GetRequiredService<SipGateway>().SipPort;
            using var caller = new RawSipClient(sipPort);
            var invite = caller.Invite("demo", $"{Guid.NewGuid():N}@ready", RawSipClient.AudioOffer(30100 + attempt, "8", "8 PCMA/8000"));
            var answer = await caller.RequestAsync(invite, TimeSpan.FromSeconds(10));

            Assert.True(answer is not null && SipText.StatusCode(answer) == 200, $"silo {attempt}: {answer ?? "no answer"}");
            await caller.AckAsync(invite, answer!);
            Assert.Equal(200, SipText.StatusCode(await caller.ByeAsync(invite, answer!, TimeSpan.FromSeconds(10)) ?? ""));
            await starting;
        }
    }

    private static async Task<bool> IsReadyAsync(HttpClient http)
    {
        try
        {
            return (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false; // HTTP starts once the silo is ready
        }
    }

    /// <summary>
    /// A startup step before the silo joins the cluster that waits for the test, so the host can be looked at while it
    /// joins.
    /// </summary>
    private sealed class JoinGate
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public void Release() => _release.TrySetResult();

        public void Install(ISiloBuilder silo) => silo.AddStartupTask(async (_, cancellationToken) =>
        {
            _entered.TrySetResult();
            await _release.Task.WaitAsync(cancellationToken);
        }, ServiceLifecycleStage.ApplicationServices);
    }
}
