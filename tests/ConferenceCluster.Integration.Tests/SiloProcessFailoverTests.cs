using System.Diagnostics;
using System.Text.Json;
using ConferenceCluster.Integration.TestGrains;
using Orleans.Runtime;
using Xunit.Abstractions;

namespace ConferenceCluster.Integration.Tests;

/// <summary>
/// Silo processes on the shared PostgreSQL (Orleans' ADO.NET clustering); one is SIGKILLed or SIGSTOPped; the others
/// vote it dead in Orleans' membership table and carry on. Only real crashes are declared dead by missed probes, which
/// is why these tests use processes: an in-process silo stopped "ungracefully" still marks itself dead on its way out.
/// </summary>
public sealed class SiloProcessFailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(120);
    /// <summary>Bounds waits on the fast timings: many times the second or two they take on a quiet machine.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Killing_the_process_that_hosts_a_grain_gets_it_voted_dead_by_the_survivors_the_grain_reactivates_on_one_and_connectivity_lost_is_raised_then_lowered_L15424()
    {
        var clusterId = TestDatabases.NewClusterId("it-kill");
        await using var testDatabase = await TestDatabase.CreateAsync();
        var database = testDatabase.ConnectionString;
        await using var group = new SiloGroup();
        var silos = await StartThreeAsync(group, "node", clusterId, database, SiloProcess.FastMembership);

        await using var client = await ClusterClient.ConnectAsync(clusterId, database);
        var key = "failover-" + Guid.NewGuid().ToString("N");
        var before = await client.Grains.GetGrain<IProbeGrain>(key).Where();
        var victim = silos.Single(s => s.Name == before.SiloName);
        Assert.Equal(victim.ProcessId, before.ProcessId);
        var survivors = silos.Where(s => s != victim).ToList();
        var rowsBefore = await MembershipRows.ReadAsync(database, clusterId);
        var victimAddress = rowsBefore.Single(r => r.SiloName == victim.Name && r.Status == MembershipRow.Active).Address;
        var survivorAddresses = rowsBefore.Where(r => r.SiloName != victim.Name && r.Status == MembershipRow.Active).Select(r => r.Address).ToHashSet();

        victim.Kill();
        await victim.WaitForExitAsync(TimeSpan.FromSeconds(30));

        // Declared dead by the others: its row is Dead and every suspect vote in it is a survivor's (a silo that
        // leaves gracefully writes its own address there instead).
        await WaitForRowsAsync(database, clusterId, rows => rows.Single(r => r.Address == victimAddress).Status == MembershipRow.Dead,
            $"{victim.Name} declared dead", group);
        var dead = (await MembershipRows.ReadAsync(database, clusterId)).Single(r => r.Address == victimAddress);
        output.WriteLine($"dead row: {dead}");
        Assert.NotEmpty(dead.Voters);
        Assert.All(dead.Voters, voter => Assert.Contains(voter, survivorAddresses));

        // The grain comes back on a survivor, as one new activation that every later call meets.
        ProbeAnswer? after = null;
        await Bounded.WaitUntilAsync(async () => (after = await TryWhereAsync(client, key)) is not null, Bound, "a call after the failover",
            group.Logs);
        Assert.NotEqual(victim.Name, after!.SiloName);
        Assert.NotEqual(before.ActivationId, after.ActivationId);
        Assert.Contains(after.SiloName, survivors.Select(s => s.Name));
        for (var i = 0; i < 10; i++)
            Assert.Equal(after.ActivationId, (await client.Grains.GetGrain<IProbeGrain>(key).Where()).ActivationId);

        // connectivity_lost (ID 19, L15424): raised for the node the others voted dead; lowered once it is back.
        using var api = new AdminApi(survivors);
        List<JsonElement>? raised = null;
        await Bounded.WaitUntilAsync(async () => (raised = await ConnectivityAlarmsAsync(api))?.Count == 1, Bound, "the connectivity alarm",
            group.Logs);
        var alarm = Assert.Single(raised!);
        Assert.Equal((victim.Name, "warning", 19), (alarm.GetProperty("node").GetString(), alarm.GetProperty("level").GetString(), alarm.GetProperty("identifier").GetInt32()));

        await group.Start(victim.Name, clusterId, database).WaitUntilReadyAsync(StartBound);
        await Bounded.WaitUntilAsync(async () => (await ConnectivityAlarmsAsync(api))?.Count == 0, Bound, "the connectivity alarm to be lowered",
            group.Logs);
        var lowered = await api.ObjectsAsync("/api/admin/history/v1/alarm/?name=connectivity_lost&limit=0");
        Assert.Contains(lowered, a => a.GetProperty("node").GetString() == victim.Name);
    }

    [Fact]
    public async Task A_cluster_client_keeps_working_when_a_silo_process_whose_gateway_it_uses_is_killed()
    {
        var clusterId = TestDatabases.NewClusterId("it-gw");
        await using var testDatabase = await TestDatabase.CreateAsync();
        var database = testDatabase.ConnectionString;
        await using var group = new SiloGroup();
        var silos = await StartThreeAsync(group, "gw", clusterId, database, SiloProcess.FastMembership);

        await using var client = await ClusterClient.ConnectAsync(clusterId, database);
        // Orleans' client spreads grains over the gateways it knows; enough grains reach all three.
        var keys = Enumerable.Range(0, 40).Select(i => $"gw-{i}-{Guid.NewGuid():N}").ToList();
        var before = new Dictionary<string, ProbeAnswer>();
        foreach (var key in keys) before[key] = await client.Grains.GetGrain<IProbeGrain>(key).Where();
        var management = client.Grains.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetHosts(onlyActive: true);
        var statistics = await management.GetRuntimeStatistics(hosts.Keys.ToArray());
        var details = await management.GetDetailedHosts(onlyActive: true);
        var clientsOf = details.ToDictionary(d => d.SiloName, d => statistics[Array.IndexOf(hosts.Keys.ToArray(), d.SiloAddress)].ClientCount);
        output.WriteLine("clients per gateway: " + string.Join(", ", clientsOf.Select(c => $"{c.Key} {c.Value}")));
        var gateway = silos.First(s => clientsOf[s.Name] > 0);
        var survivingKeys = keys.Where(k => before[k].SiloName != gateway.Name).ToList();
        Assert.NotEmpty(survivingKeys);

        gateway.Kill();
        await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));

        // Calls that the client had routed through the dead gateway fail until it has given up on that gateway (each
        // grain's route is found again on its next call); the client itself goes on. The grains on the surviving silos
        // answer from the same activations, those that lived on the victim come back on a survivor.
        foreach (var key in keys)
        {
            ProbeAnswer? after = null;
            await Bounded.WaitUntilAsync(async () => (after = await TryWhereAsync(client, key)) is not null, Bound, $"{key} after the kill",
                group.Logs);
            if (survivingKeys.Contains(key))
                Assert.Equal(before[key].ActivationId, after!.ActivationId);
            else
                Assert.NotEqual(gateway.Name, after!.SiloName);
        }
    }

    /// <summary>
    /// Issue 12 item 3 with the DEFAULT membership timings: a hung silo (SIGSTOP: its sockets stay open, so Orleans'
    /// connection liveness check holds back suspicion until its window passes) is still voted dead by the others. The
    /// measured time is printed for docs/benchmarks.md ("Silo failure"); the bound here is not a timing assertion.
    /// </summary>
    [Fact]
    public async Task A_hung_silo_process_is_voted_dead_by_the_others_with_the_default_membership_timings()
    {
        var clusterId = TestDatabases.NewClusterId("it-hang");
        await using var testDatabase = await TestDatabase.CreateAsync();
        var database = testDatabase.ConnectionString;
        await using var group = new SiloGroup();
        var silos = await StartThreeAsync(group, "hang", clusterId, database, SiloProcess.DefaultMembership);
        var victim = silos[^1];
        var rows = await MembershipRows.ReadAsync(database, clusterId);
        var victimAddress = rows.Single(r => r.SiloName == victim.Name && r.Status == MembershipRow.Active).Address;
        var survivorAddresses = rows.Where(r => r.SiloName != victim.Name && r.Status == MembershipRow.Active).Select(r => r.Address).ToHashSet();

        var frozenAt = Stopwatch.StartNew();
        victim.Freeze();
        // Well beyond the default timings' bound (about 15 s); a hung silo must not stay Active forever.
        await WaitForRowsAsync(database, clusterId, r => r.Single(row => row.Address == victimAddress).Status == MembershipRow.Dead,
            $"the hung {victim.Name} declared dead", group, TimeSpan.FromSeconds(120));
        var declared = frozenAt.Elapsed;
        var dead = (await MembershipRows.ReadAsync(database, clusterId)).Single(r => r.Address == victimAddress);
        output.WriteLine($"hung silo declared dead after {declared.TotalSeconds:F1} s (default membership timings, SIGSTOP, table polled every 0.1 s): {dead}");
        Assert.NotEmpty(dead.Voters);
        Assert.All(dead.Voters, voter => Assert.Contains(voter, survivorAddresses));

        // Thawed, it reads that it is dead and stops with the exit code that asks its supervisor for a restart.
        victim.Thaw();
        await victim.WaitForExitAsync(Bound);
        Assert.Equal(1, victim.ExitCode);
    }

    /// <summary>Three silos of one cluster, each ready and Active in Orleans' table.</summary>
    private static async Task<IReadOnlyList<SiloProcess>> StartThreeAsync(SiloGroup group, string prefix, string clusterId, string database,
        IReadOnlyDictionary<string, string> membership)
    {
        for (var i = 1; i <= 3; i++) group.Start($"{prefix}{i}", clusterId, database, membership);
        await group.WaitUntilReadyAsync(StartBound);
        await WaitForRowsAsync(database, clusterId, rows => rows.Count(r => r.Status == MembershipRow.Active) == 3, "three Active rows", group);
        return group.Silos;
    }

    /// <summary>
    /// The call's answer, or null when it failed because the cluster is still taking in a silo's death: the dead
    /// gateway's connection, a lookup cancelled while the grain directory changes hands, a timeout.
    /// </summary>
    private static async Task<ProbeAnswer?> TryWhereAsync(ClusterClient client, string key)
    {
        try
        {
            return await client.Grains.GetGrain<IProbeGrain>(key).Where();
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task<List<JsonElement>?> ConnectivityAlarmsAsync(AdminApi api) =>
        await api.TryObjectsAsync("/api/admin/status/v1/alarm/?name=connectivity_lost&limit=0");

    private static Task WaitForRowsAsync(string database, string clusterId, Func<IReadOnlyList<MembershipRow>, bool> condition, string what,
        SiloGroup group, TimeSpan? bound = null)
    {
        IReadOnlyList<MembershipRow> rows = [];
        return Bounded.WaitUntilAsync(async () => condition(rows = await MembershipRows.ReadAsync(database, clusterId)), bound ?? Bound, what,
            () => "membership rows:\n  " + string.Join("\n  ", rows) + group.Logs());
    }
}
