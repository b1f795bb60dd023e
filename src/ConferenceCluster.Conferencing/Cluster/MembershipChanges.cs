using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace ConferenceCluster.Conferencing.Cluster;

/// <summary>
/// Orleans' membership snapshots (<see cref="IClusterMembershipService.MembershipUpdates"/>) as an event for the per-silo
/// services that react to a node leaving (conference recovery, connectivity alarms) and for conference grains, which
/// subscribe while active. One reader per silo, started with the conferencing layer; handlers run on its loop and must
/// only queue work.
/// </summary>
public sealed class MembershipChanges(IClusterMembershipService membership, ILogger<MembershipChanges> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _reader = Task.CompletedTask;
    private int _started;
    private int _disposed;

    public ClusterMembershipSnapshot Current => membership.CurrentSnapshot;

    /// <summary>Raised for every new snapshot, in order.</summary>
    public event Action<ClusterMembershipSnapshot>? Changed;

    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 1) return;
        _reader = Task.Run(ReadAsync);
    }

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(_stopping.Token).ConfigureAwait(false))
            {
                // Each handler on its own: one that throws must not keep the snapshot from those after it.
                foreach (var handler in Changed?.GetInvocationList().Cast<Action<ClusterMembershipSnapshot>>() ?? [])
                {
                    try
                    {
                        handler(snapshot);
                    }
                    catch (Exception ex)
                    {
                        logger.LogWarning(ex, "A membership change handler failed");
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Stopped reading membership changes");
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Idempotent: the silo stops it, and its host disposes it again later.
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _reader.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }
}
