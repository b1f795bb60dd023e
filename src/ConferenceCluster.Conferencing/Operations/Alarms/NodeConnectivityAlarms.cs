using ConferenceCluster.Conferencing.Cluster;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace ConferenceCluster.Conferencing.Operations.Alarms;

/// <summary>
/// "Connectivity lost between nodes" (connectivity_lost, ID 19, L15424) from Orleans' membership table: a node the
/// cluster declared dead after missed probes (its row carries suspect votes; a node that left gracefully voted only for
/// itself) raises it, and the node's name being active again lowers it. Every silo watches; the registry keeps one alarm
/// per node.
/// </summary>
public sealed class NodeConnectivityAlarms(
    MembershipChanges membership, IMembershipTable table, AlarmRegistry alarms, LocalNode local, ISiloStatusOracle self,
    ILogger<NodeConnectivityAlarms> logger) : IDisposable
{
    public const string Instance = "membership";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _started;

    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 1) return;
        membership.Changed += OnChanged;
        OnChanged(membership.Current);
    }

    public void Dispose() => membership.Changed -= OnChanged;

    /// <summary>Off the membership reader's loop: the table read and the alarm writes take a while.</summary>
    private void OnChanged(ClusterMembershipSnapshot snapshot) => _ = Task.Run(SyncAsync);

    /// <summary>Raises and lowers to match the membership table as it is now; one run at a time.</summary>
    private async Task SyncAsync()
    {
        // A silo that is itself leaving reports nothing: the changes it sees are its own departure.
        if (self.CurrentStatus != SiloStatus.Active) return;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var rows = (await table.ReadAllAsync(CancellationToken.None).ConfigureAwait(false)).Members.Select(m => m.Item1)
                .GroupBy(e => e.SiloName, StringComparer.Ordinal).Select(g => g.MaxBy(e => e.SiloAddress.Generation)!).ToList();
            foreach (var failed in rows.Where(e => e.Status == SiloStatus.Dead && e.SiloName != local.Name && VotedDeadByOthers(e)))
                await alarms.RaiseAsync(AlarmCatalogue.ConnectivityLost, failed.SiloName, Instance,
                    $"Source={local.Name}, Destination={failed.SiloName} ({failed.SiloAddress}): declared dead after {failed.SuspectTimes!.Count} suspect vote(s)").ConfigureAwait(false);
            var active = rows.Where(e => e.Status == SiloStatus.Active).Select(e => e.SiloName).ToHashSet(StringComparer.Ordinal);
            await alarms.LowerAllAsync(AlarmCatalogue.ConnectivityLost, a => a.Instance == Instance && active.Contains(a.Node)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not update the connectivity alarms");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A silo that stops gracefully marks itself dead, its own address as the only "vote" (spec/orleans.md §2).</summary>
    private static bool VotedDeadByOthers(MembershipEntry entry) =>
        entry.SuspectTimes is { Count: > 0 } votes && votes.Any(v => !v.Item1.Equals(entry.SiloAddress));
}
