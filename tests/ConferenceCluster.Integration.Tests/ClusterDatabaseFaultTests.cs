using System.Diagnostics;
using ConferenceCluster.Gateway.Tests.Distributed.Support;
using ConferenceCluster.Gateway.Tests.Support;
using ConferenceCluster.Storage.Documents;
using Xunit.Abstractions;

namespace ConferenceCluster.Integration.Tests;

/// <summary>
/// Issue 12, "Bad input and faults", for the cluster database: PostgreSQL hung for 30 s under live calls, a silo of
/// another cluster id on the same database, and silos of another service or compatibility version.
/// </summary>
public sealed class ClusterDatabaseFaultTests(ITestOutputHelper output)
{
    /// <summary>The VMR's alias: the one <see cref="ToneCaller"/> dials.</summary>
    private const string LiveRoom = "meet";
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Freeze = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PostgreSQL_frozen_for_30_s_drops_no_live_call_a_new_conference_gets_503_with_Retry_After_and_the_silos_recover_by_themselves()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        var clusterId = TestDatabases.NewClusterId("it-frozen");
        await using var group = new SiloGroup();
        // The default membership timings, as a production cluster runs when its database hangs.
        group.Start("db1", clusterId, postgres.ConnectionString, SiloProcess.DefaultMembership);
        group.Start("db2", clusterId, postgres.ConnectionString, SiloProcess.DefaultMembership);
        await group.WaitUntilReadyAsync(StartBound);
        using var api = new AdminApi(group.Silos);
        await api.WaitForWorkerVmsAsync(group.Silos.Select(s => s.Name), Bound, group.Logs);
        await api.CreateRoomAsync(LiveRoom);
        await api.CreateRoomAsync("later");
        // A call at each silo, into one conference.
        List<ToneCaller> callers = [await group.DialAsync("c1", 440, "db1"), await group.DialAsync("c2", 1070, "db2")];
        (await SiloGroup.ListenAsync(callers)).AssertEveryoneHearsEveryOtherOnce();

        var frozen = Stopwatch.StartNew();
        postgres.Freeze();
        string? refused;
        HearingMatrix during;
        try
        {
            // A conference that is not running yet needs its state from the database: refused for now, with a hint to
            // retry. The database stays frozen until the answer came, however long that takes (bounded).
            refused = await InviteAsync(group.SipPort("db1"), "later", TimeSpan.FromSeconds(90));
            output.WriteLine($"INVITE to a conference not running, {frozen.Elapsed.TotalSeconds:F1} s into the freeze: {refused?.Split('\n')[0]}");
            // The live calls go on without the database, at the end of the freeze as at its start.
            var listenFrom = Freeze - TimeSpan.FromSeconds(5);
            if (frozen.Elapsed < listenFrom) await Task.Delay(listenFrom - frozen.Elapsed);
            during = await SiloGroup.ListenAsync(callers);
            if (frozen.Elapsed < Freeze) await Task.Delay(Freeze - frozen.Elapsed);
        }
        finally
        {
            postgres.Thaw();
        }
        output.WriteLine($"thawed after {frozen.Elapsed.TotalSeconds:F1} s; the calls heard during the freeze:\n{during}");
        Assert.NotNull(refused);
        Assert.Equal(503, SipText.StatusCode(refused));
        Assert.NotNull(SipText.Header(refused, "Retry-After"));
        during.AssertEveryoneHearsEveryOtherOnce();

        // By itself the cluster serves again: the new conference answers (a caller retries as Retry-After asks, bounded),
        // the live calls are still up and heard, both silos ready and still members.
        string? answered = null;
        await Bounded.WaitUntilAsync(async () => SipText.StatusCode(answered = await InviteAsync(group.SipPort("db2"), "later", TimeSpan.FromSeconds(30)) ?? "") == 200,
            TimeSpan.FromSeconds(120), "a call to the new conference after the thaw", () => $"last answer: {answered}{group.Logs()}");
        (await SiloGroup.ListenAsync(callers)).AssertEveryoneHearsEveryOtherOnce();
        Assert.Equal(2, (await api.ObjectsAsync($"/api/admin/status/v1/participant/?conference={LiveRoom}&limit=0")).Count);
        await group.WaitUntilReadyAsync(Bound);
        var rows = await MembershipRows.ReadAsync(postgres.ConnectionString, clusterId);
        Assert.Equal(["db1", "db2"], rows.Where(r => r.Status == MembershipRow.Active).Select(r => r.SiloName).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(rows, r => r.Status == MembershipRow.Dead);
    }

    [Fact]
    public async Task A_silo_of_another_cluster_id_on_the_same_database_is_a_cluster_of_its_own_and_harms_nothing()
    {
        await using var testDatabase = await TestDatabase.CreateAsync();
        var database = testDatabase.ConnectionString;
        var (ours, theirs) = (TestDatabases.NewClusterId("it-ours"), TestDatabases.NewClusterId("it-theirs"));
        await using var group = new SiloGroup();
        group.Start("ours1", ours, database);
        group.Start("ours2", ours, database);
        await group.WaitUntilReadyAsync(StartBound);
        using var api = new AdminApi(group.Silos);
        await api.WaitForWorkerVmsAsync(group.Silos.Select(s => s.Name), Bound, group.Logs);
        await api.CreateRoomAsync(LiveRoom);
        List<ToneCaller> callers = [await group.DialAsync("c1", 440, "ours1"), await group.DialAsync("c2", 1070, "ours2")];

        var stranger = group.Start("stranger", theirs, database);
        await stranger.WaitUntilReadyAsync(StartBound);
        using var theirApi = new AdminApi([stranger]);

        // Two clusters side by side: each lists only its own nodes, in its own membership rows, with its own configuration.
        Assert.Equal(["ours1", "ours2"], await api.WorkerVmsAsync());
        Assert.Equal(["stranger"], await theirApi.WorkerVmsAsync());
        var rows = await MembershipRows.ReadAsync(database, ours);
        Assert.Equal(["ours1", "ours2"], rows.Where(r => r.Status == MembershipRow.Active).Select(r => r.SiloName).Order(StringComparer.Ordinal));
        Assert.Equal(["stranger"], (await MembershipRows.ReadAsync(database, theirs)).Select(r => r.SiloName));
        Assert.Empty(await theirApi.ObjectsAsync("/api/admin/configuration/v1/conference/?limit=0"));
        Assert.Equal(404, SipText.StatusCode(await InviteAsync(group.SipPort("stranger"), LiveRoom, TimeSpan.FromSeconds(30)) ?? ""));
        // Our calls never noticed.
        (await SiloGroup.ListenAsync(callers)).AssertEveryoneHearsEveryOtherOnce();
        Assert.Equal(2, (await api.ObjectsAsync($"/api/admin/status/v1/participant/?conference={LiveRoom}&limit=0")).Count);
    }

    /// <summary>
    /// The cluster's compatibility record (Hosting/ClusterCompatibility.cs) is changed as a cluster of another service, or
    /// of another release that is running, would have written it: a silo of this build pointed at it does not join.
    /// </summary>
    [Theory]
    [InlineData("service", "belongs to service 'another-service'")]
    [InlineData("version", "runs compatibility version 999")]
    public async Task A_silo_of_another_service_or_of_an_incompatible_running_version_is_refused_with_a_clear_line_and_harms_nothing(string what, string line)
    {
        await using var testDatabase = await TestDatabase.CreateAsync();
        var database = testDatabase.ConnectionString;
        var clusterId = TestDatabases.NewClusterId("it-compat");
        await using var group = new SiloGroup();
        var running = group.Start("running", clusterId, database);
        await running.WaitUntilReadyAsync(StartBound);
        await using (var documents = ClusterDocumentStores.Create(ClusterStorageKind.Postgres, clusterId, database))
        {
            var stamp = await documents.GetAsync("cluster", "compatibility");
            Assert.NotNull(stamp);
            var changed = what == "service"
                ? stamp.Json.Replace($"\"service_id\":\"{clusterId}\"", "\"service_id\":\"another-service\"", StringComparison.Ordinal)
                : stamp.Json.Replace("\"compatibility_version\":1", "\"compatibility_version\":999", StringComparison.Ordinal);
            Assert.NotEqual(stamp.Json, changed);
            Assert.NotNull(await documents.TryUpdateAsync("cluster", "compatibility", changed, stamp.Version));
        }

        var refused = group.Start("refused", clusterId, database);
        await refused.WaitForExitAsync(StartBound);
        output.WriteLine(refused.Output);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"The silo does not start: Cluster {clusterId} in this database {line}", refused.Output);
        Assert.DoesNotContain("Silo starting", refused.Output); // no Orleans silo was built: it never joined

        // Nothing of it in the cluster: no membership row, and the running silo serves on.
        Assert.Equal(["running"], (await MembershipRows.ReadAsync(database, clusterId)).Select(r => r.SiloName));
        await running.WaitUntilReadyAsync(Bound);
    }

    /// <summary>An audio INVITE to <paramref name="alias"/>; its final answer (null if none came), ACKed, and a 200 hung up again.</summary>
    private static async Task<string?> InviteAsync(int sipPort, string alias, TimeSpan timeout)
    {
        using var caller = new RawSipClient(sipPort);
        var invite = caller.Invite(alias, Guid.NewGuid().ToString("N") + "@faults", RawSipClient.AudioOffer(ExternalTool.FreeUdpPort(), "0", "0 PCMU/8000"));
        var answer = await caller.RequestAsync(invite, timeout);
        if (answer is null) return null;
        await caller.AckAsync(invite, answer);
        if (SipText.StatusCode(answer) == 200) await caller.ByeAsync(invite, answer, TimeSpan.FromSeconds(5));
        return answer;
    }
}
