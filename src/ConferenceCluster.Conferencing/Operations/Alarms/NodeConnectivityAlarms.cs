using ConferenceCluster.Runtime.Hosting;
using ConferenceCluster.Runtime.Membership;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Conferencing.Operations.Alarms;

/// <summary>
/// "Connectivity lost between nodes" (connectivity_lost, ID 19, L15424) from the membership table: a node the cluster
/// declared dead after missed probes (it has suspect votes; a node that left gracefully has none) raises it, and the
/// node's name being active again lowers it. Every silo watches; the registry keeps one alarm per node.
/// </summary>
public sealed class NodeConnectivityAlarms(IClusterMembershipView membership, AlarmRegistry alarms, ILocalSiloDetails silo, ILogger<NodeConnectivityAlarms> logger) : IDisposable
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

    /// <summary>Off the membership agent's thread: it raises Changed while holding its refresh gate.</summary>
    private void OnChanged(MembershipSnapshot snapshot)
    {
        Volatile.Write(ref _latest, snapshot);
        _ = Task.Run(SyncAsync);
    }

    private MembershipSnapshot _latest = MembershipSnapshot.Empty;

    /// <summary>Raises and lowers to match the newest snapshot; one run at a time.</summary>
    private async Task SyncAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var snapshot = Volatile.Read(ref _latest);
            var latest = snapshot.Entries.GroupBy(e => e.SiloName, StringComparer.Ordinal).Select(g => g.MaxBy(e => e.SiloAddress.Generation)!).ToList();
            foreach (var failed in latest.Where(e => e.Status == SiloStatus.Dead && e.SuspectTimes.Count > 0 && e.SiloName != silo.Name))
                await alarms.RaiseAsync(AlarmCatalogue.ConnectivityLost, failed.SiloName, Instance,
                    $"Source={silo.Name}, Destination={failed.SiloName} ({failed.SiloAddress}): declared dead after {failed.SuspectTimes.Count} suspect vote(s)").ConfigureAwait(false);
            var active = latest.Where(e => e.Status == SiloStatus.Active).Select(e => e.SiloName).ToHashSet(StringComparer.Ordinal);
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
}
