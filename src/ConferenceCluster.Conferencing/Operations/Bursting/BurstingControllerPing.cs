using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Conferencing.Operations.Bursting;

/// <summary>
/// Pings the bursting grain every tick interval from every silo, so the cluster's one controller is reactivated promptly
/// on a survivor when its silo dies (a reminder would take up to its one-minute period). Ends when the silo stops.
/// </summary>
public sealed class BurstingControllerPing(IGrainFactory grains, BurstingOptions options, TimeProvider time, ILogger<BurstingControllerPing> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private int _started;
    private int _disposed;

    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 1) return;
        _loop = Task.Run(PingAsync);
    }

    private async Task PingAsync()
    {
        var ct = _stopping.Token;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await grains.GetGrain<IBurstingGrain>(BurstingGrain.Key).Tick().WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "Bursting controller ping failed; retrying in {Interval}", options.TickInterval);
            }
            try
            {
                await Task.Delay(options.TickInterval, time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Idempotent: the silo stops it, and its host disposes it again later.
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }
}
