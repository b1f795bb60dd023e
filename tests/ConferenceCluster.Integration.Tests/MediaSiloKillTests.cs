using System.Globalization;
using System.Net;
using System.Text.Json;
using ConferenceCluster.Gateway.Tests.Distributed.Support;
using ConferenceCluster.Gateway.Tests.Support;
using Xunit.Abstractions;

namespace ConferenceCluster.Integration.Tests;

/// <summary>
/// Issue 6 item 2's required test with real processes: three ConferenceCluster.Silo processes of one location on the
/// shared PostgreSQL, six SIP callers over UDP each talking its own tone, and one silo that carries media and signals
/// callers killed with SIGKILL. The callers whose signalling silo survives are re-INVITEd to a new media node and hear
/// each other again; the dead silo's own callers end with "Conferencing Node X failed" (decisions: "Calls move off a
/// failed media node").
/// </summary>
public sealed class MediaSiloKillTests(ITestOutputHelper output)
{
    /// <summary>The VMR's alias: the one <see cref="ToneCaller"/> dials.</summary>
    private const string Room = "meet";
    private const int FirstMediaPort = 48000;
    private const int MediaPortsPerSilo = 200;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);
    /// <summary>Long enough that a stall of the test process (a loaded machine: no RTP read for half a second, then a burst) stays out of the medians.</summary>
    private static readonly TimeSpan Measured = TimeSpan.FromSeconds(3);
    /// <summary>Bounds every wait on the cluster: several times what it takes on a quiet machine.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private sealed record Call(ToneCaller Caller, string Id, string Node, string MediaNode);

    /// <summary>
    /// Capacities (in audio calls, one held back per hosting node for the backplane of an audio-only conference, R54,
    /// L1200) make the allocator (R21: fill the hosting node, then the one with most available capacity) put the media of calls 1–3 on n1, 4–5
    /// on n2 and 6 on n3. n1 signals calls 3, 4 and 6 and goes: those end, which frees one call on n2 and n3
    /// each, where the two calls n1 carried media for but n2 and n3 signal (1 and 2) are moved.
    /// </summary>
    /// <remarks>
    /// Graceful: n1 is sent SIGTERM and leaves after a short drain (its own calls are hung up as it goes). The conference
    /// grain may be on any silo (hash placement); when it is on n1 it leaves with it and is restored on a survivor.
    /// </remarks>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_media_silo_process_killed_or_leaving_moves_the_survivors_calls_they_hear_each_other_again_and_history_is_right(bool graceful)
    {
        var clusterId = TestDatabases.NewClusterId(graceful ? "leave-media" : "kill-media");
        await using var database = await TestDatabase.CreateAsync();
        var capacities = new Dictionary<string, int> { ["n1"] = 4, ["n2"] = 3, ["n3"] = 2 };
        var silos = new Dictionary<string, SiloProcess>(StringComparer.Ordinal);
        var sipPorts = new Dictionary<string, int>(StringComparer.Ordinal);
        var calls = new List<Call>();
        try
        {
            var index = 0;
            foreach (var (name, capacity) in capacities)
            {
                var settings = new Dictionary<string, string>
                {
                    ["Silo:Location"] = "london",
                    ["Silo:Capacity:AudioCalls"] = capacity.ToString(CultureInfo.InvariantCulture),
                    ["Silo:Ports:Sip"] = (sipPorts[name] = ExternalTool.FreeUdpPort()).ToString(CultureInfo.InvariantCulture),
                    ["Silo:Ports:MediaRange"] = $"{FirstMediaPort + MediaPortsPerSilo * index}-{FirstMediaPort + MediaPortsPerSilo * (index + 1) - 1}",
                    ["Demo:Enabled"] = "false",
                    ["Silo:DrainTimeout"] = "00:00:02",
                };
                silos[name] = SiloProcess.Start(name, clusterId, database.ConnectionString, settings,
                    DefaultMembership ? SiloProcess.DefaultMembership : SiloProcess.FastMembership);
                index++;
            }
            using var api = new AdminApi(silos.Values);
            await api.WaitForWorkerVmsAsync(silos.Keys, Bound, () => Bounded.Logs(silos.Values));
            await api.CreateRoomAsync(Room);

            (string Name, double Tone, string SignalledBy, string ExpectedMedia)[] plan =
            [
                ("c1", 440, "n2", "n1"), ("c2", 620, "n3", "n1"), ("c3", 830, "n1", "n1"),
                ("c4", 1070, "n1", "n2"), ("c5", 1310, "n3", "n2"), ("c6", 1550, "n1", "n3"),
            ];
            foreach (var (name, tone, signalledBy, expectedMedia) in plan)
            {
                var call = await DialAsync(api, name, tone, sipPorts[signalledBy], calls.Select(c => c.Id).ToHashSet(StringComparer.Ordinal));
                calls.Add(call);
                Assert.Equal((signalledBy, expectedMedia), (call.Node, call.MediaNode));
                Assert.Equal(expectedMedia, MediaNodeOfPort(call.Caller.MediaTarget!.Port));
            }
            var everyone = calls.Select(c => c.Caller).ToList();
            var before = await ListenAsync(everyone);
            output.WriteLine("before n1 goes:\n" + before);
            before.AssertEveryoneHearsEveryOtherOnce();

            var victim = silos["n1"];
            var moving = calls.Where(c => c.Node != "n1" && c.MediaNode == "n1").ToList();
            var staying = calls.Where(c => c.Node != "n1" && c.MediaNode != "n1").ToList();
            var lost = calls.Where(c => c.Node == "n1").ToList();
            var targetsBefore = moving.ToDictionary(c => c.Id, c => c.Caller.MediaTarget!);
            var goneAt = DateTime.UtcNow;
            var declared = WhenGoneFromWorkerVmsAsync(api, "n1");
            if (graceful)
            {
                victim.Terminate();
                await victim.WaitForExitAsync(Bound);
                Assert.Equal(0, victim.ExitCode);
            }
            else
            {
                victim.Kill();
                await victim.WaitForExitAsync(TimeSpan.FromSeconds(10));
            }
            api.Forget("n1");

            // The signalling silos re-INVITE their callers to the media nodes the join rules pick now.
            var reInvitedAt = new System.Collections.Concurrent.ConcurrentBag<DateTime>();
            var reInvites = await Task.WhenAll(moving.Select(async c =>
            {
                var target = await c.Caller.AcceptReInviteAsync(Bound);
                reInvitedAt.Add(DateTime.UtcNow);
                return target;
            }));
            for (var i = 0; i < moving.Count; i++)
            {
                Assert.True(reInvites[i] is not null, $"{moving[i].Caller.Name} was not re-INVITEd");
                Assert.NotEqual(targetsBefore[moving[i].Id], reInvites[i]);
                Assert.NotEqual("n1", MediaNodeOfPort(reInvites[i]!.Port));
            }

            // The dead silo's callers are gone, the others shown on their new media nodes.
            var survivors = moving.Concat(staying).ToList();
            await WaitUntilAsync(async () =>
            {
                var listed = await api.TryObjectsAsync($"/api/admin/status/v1/participant/?conference={Room}&limit=0");
                return listed is not null && listed.Select(p => p.GetProperty("id").GetString()).Order().SequenceEqual(survivors.Select(c => c.Id).Order())
                    && listed.All(p => p.GetProperty("media_node").GetString() != "n1");
            }, "the survivors' calls, and only those, on n2 and n3");
            var moved = (await api.ObjectsAsync($"/api/admin/status/v1/participant/?conference={Room}&limit=0"))
                .ToDictionary(p => p.GetProperty("id").GetString()!, p => p.GetProperty("media_node").GetString()!);
            foreach (var call in moving)
                Assert.Equal(MediaNodeOfPort(call.Caller.MediaTarget!.Port), moved[call.Id]);

            var after = await ListenAsync(survivors.Select(c => c.Caller).ToList());
            output.WriteLine("after n1 went:\n" + after);
            output.WriteLine(Timeline(graceful, goneAt, await declared, reInvitedAt, moving, survivors));
            after.AssertEveryoneHearsEveryOtherOnce();

            // History: the dead silo's callers, each once, with the node-failure reason.
            await WaitUntilAsync(async () => (await api.TryObjectsAsync("/api/admin/history/v1/participant/?limit=0"))?.Count >= lost.Count,
                "history records of the dead silo's callers");
            var failed = await api.ObjectsAsync("/api/admin/history/v1/participant/?limit=0");
            output.WriteLine("the dead silo's callers: " + string.Join(", ", failed.Select(p => p.GetProperty("disconnect_reason").GetString())));
            Assert.Equal(lost.Select(c => c.Id).Order(), failed.Select(p => p.GetProperty("participant_id").GetString()).Order());
            if (!graceful)
                Assert.All(failed, p => Assert.Equal("Conferencing Node n1 failed", p.GetProperty("disconnect_reason").GetString()));

            // An operator disconnects one moved call (the conference, wherever it runs now, knows it); the others hang
            // up. One record each, with the media node they ended on.
            var operatorEnded = moving[0];
            Assert.Equal(HttpStatusCode.Accepted, await api.PostStatusAsync("/api/admin/command/v1/participant/disconnect/", new { participant_id = operatorEnded.Id }));
            // Its signalling silo hangs it up (the ACK of its re-INVITE's answer may arrive first: a few messages, bounded).
            string? bye = null;
            for (var i = 0; i < 5 && bye?.StartsWith("BYE ", StringComparison.Ordinal) != true; i++)
                bye = await operatorEnded.Caller.ReceiveAsync(TimeSpan.FromSeconds(10));
            Assert.True(bye?.StartsWith("BYE ", StringComparison.Ordinal) == true, $"{operatorEnded.Caller.Name} got no BYE after the operator's disconnect: {bye}");
            foreach (var call in survivors.Where(c => c != operatorEnded)) await call.Caller.HangUpAsync();
            await WaitUntilAsync(async () => (await api.TryObjectsAsync("/api/admin/history/v1/conference/?limit=0"))?.Count == 1,
                "the conference's history record");
            var records = await api.ObjectsAsync("/api/admin/history/v1/participant/?limit=0");
            Assert.Equal(calls.Select(c => c.Id).Order(), records.Select(p => p.GetProperty("participant_id").GetString()).Order());
            foreach (var call in survivors)
            {
                var record = records.Single(p => p.GetProperty("participant_id").GetString() == call.Id);
                Assert.Equal(call.Node, record.GetProperty("node").GetString());
                Assert.Equal(moving.Contains(call) ? moved[call.Id] : call.MediaNode, record.GetProperty("media_node").GetString());
                Assert.DoesNotContain("n1", record.GetProperty("disconnect_reason").GetString(), StringComparison.Ordinal);
            }
            foreach (var (name, silo) in silos)
                output.WriteLine($"{name}: " + string.Join(" | ", silo.Output.Split('\n').Where(l => l.Contains("Conference meet", StringComparison.Ordinal) || l.Contains("waking", StringComparison.Ordinal)).Select(l => l.Trim())));
            var conference = (await api.ObjectsAsync("/api/admin/history/v1/conference/?limit=0")).Single();
            output.WriteLine(conference.ToString());
            Assert.Equal(Room, conference.GetProperty("name").GetString());
            Assert.Equal(calls.Count, conference.GetProperty("participant_count").GetInt32());
            Assert.Equal(["n1", "n2", "n3"], conference.GetProperty("nodes_used").EnumerateArray().Select(n => n.GetString()).Order());
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message}\n{Bounded.Logs(silos.Values)}", ex);
        }
        finally
        {
            foreach (var call in calls) await call.Caller.DisposeAsync();
            foreach (var silo in silos.Values) await silo.DisposeAsync();
        }
    }

    /// <summary>
    /// The measurement of docs/benchmarks.md ("Silo failure: detection and recovery"): with this environment variable
    /// set to <c>default</c> the silos run the default membership timings instead of the fast ones tests use.
    /// </summary>
    private static bool DefaultMembership => Environment.GetEnvironmentVariable("CONFERENCECLUSTER_FAILOVER_MEMBERSHIP") == "default";

    /// <summary>When the surviving silos stop listing the node in worker_vm (they have declared it dead, or seen it leave).</summary>
    private static async Task<DateTime?> WhenGoneFromWorkerVmsAsync(AdminApi api, string node)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (DateTime.UtcNow < deadline)
        {
            if (await api.TryObjectsAsync("/api/admin/status/v1/worker_vm/?limit=0") is { } listed && listed.All(w => w.GetProperty("name").GetString() != node))
                return DateTime.UtcNow;
            await Task.Delay(100);
        }
        return null;
    }

    /// <summary>Kill (or SIGTERM) to: the node gone from worker_vm, the last re-INVITE received, the last moved voice heard again.</summary>
    private static string Timeline(bool graceful, DateTime goneAt, DateTime? declared, IEnumerable<DateTime> reInvitedAt, IReadOnlyList<Call> moving, IReadOnlyList<Call> survivors)
    {
        var window = TimeSpan.FromMilliseconds(200);
        var back = moving.SelectMany(m => survivors.Where(s => s != m).SelectMany(s => new[]
        {
            m.Caller.CameBackAt(s.Caller.Frequency, goneAt, window), s.Caller.CameBackAt(m.Caller.Frequency, goneAt, window),
        })).ToList();
        string Since(DateTime? at) => at is { } t ? string.Create(CultureInfo.InvariantCulture, $"{(t - goneAt).TotalSeconds:F2} s") : "never";
        return $"failover timeline ({(graceful ? "SIGTERM" : "SIGKILL")}, {(DefaultMembership ? "default" : "fast")} membership): " +
               $"gone from worker_vm {Since(declared)}, last re-INVITE {Since(reInvitedAt.DefaultIfEmpty().Max())}, " +
               $"audio back {(back.Any(b => b is null) ? "not for every pair" : Since(back.Max()))}";
    }

    private static string MediaNodeOfPort(int port) => $"n{(port - FirstMediaPort) / MediaPortsPerSilo + 1}";

    /// <summary>
    /// Dials at one silo and returns the call as the status API lists it. The new VMR reaches each silo through its
    /// configuration poll: a refused INVITE (404 meanwhile) is tried again, a bounded number of times.
    /// </summary>
    private static async Task<Call> DialAsync(AdminApi api, string name, double tone, int sipPort, IReadOnlySet<string> known)
    {
        ToneCaller? caller = null;
        for (var attempt = 1; caller is null; attempt++)
        {
            try
            {
                caller = await ToneCaller.CallAsync(name, tone, sipPort);
            }
            catch (Xunit.Sdk.XunitException) when (attempt < 15)
            {
                await Task.Delay(1000);
            }
        }
        JsonElement? joined = null;
        await WaitUntilAsync(async () =>
        {
            var listed = await api.TryObjectsAsync($"/api/admin/status/v1/participant/?conference={Room}&limit=0");
            joined = listed?.Where(p => !known.Contains(p.GetProperty("id").GetString()!)).Cast<JsonElement?>().SingleOrDefault();
            return joined is not null && joined.Value.GetProperty("media_node").GetString() is { Length: > 0 };
        }, $"{name} in the conference status");
        var p = joined!.Value;
        return new Call(caller, p.GetProperty("id").GetString()!, p.GetProperty("node").GetString()!, p.GetProperty("media_node").GetString()!);
    }

    private static async Task<HearingMatrix> ListenAsync(IReadOnlyList<ToneCaller> callers)
    {
        await Task.Delay(Settle);
        var from = DateTime.UtcNow;
        await Task.Delay(Measured);
        return HearingMatrix.Measure(callers, from, DateTime.UtcNow);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"not within {Bound}: {what}");
            await Task.Delay(250);
        }
    }

}
