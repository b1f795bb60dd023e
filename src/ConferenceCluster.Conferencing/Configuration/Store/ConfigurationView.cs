using ConferenceCluster.Storage.Documents;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Conferencing.Configuration.Store;

/// <summary>
/// This silo's cached copy of the configuration (R3: configuration is pushed to every node; here every silo pulls
/// it). It polls the store's change counter, one cheap read, every <see cref="ConferencingOptions.ConfigurationPollInterval"/>
/// and reloads everything when the counter moved, so a change reaches every silo within about one interval,
/// without a restart. Grains read <see cref="Current"/>, an immutable snapshot, without touching the database.
/// </summary>
public sealed class ConfigurationView : IAsyncDisposable
{
    private readonly ConfigurationRepository _repository;
    private readonly IClusterDocumentStore _store;
    private readonly ConferencingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _reload = new(1, 1);
    private ConfigurationSnapshot _current = ConfigurationSnapshot.Empty;
    private Task _poller = Task.CompletedTask;
    private int _started;
    private int _disposed;

    public ConfigurationView(IClusterDocumentStore store, ConferencingOptions options, TimeProvider time, ILogger<ConfigurationView> logger)
    {
        _store = store;
        _repository = new ConfigurationRepository(store);
        _options = options;
        _time = time;
        _logger = logger;
    }

    public ConfigurationSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Raised (off any grain turn) after a new snapshot is in place.</summary>
    public event Action<ConfigurationSnapshot>? Changed;

    /// <summary>Loads the configuration once and starts polling. Idempotent.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1) return;
        await RefreshAsync(force: true, cancellationToken).ConfigureAwait(false);
        _poller = Task.Run(PollAsync);
    }

    /// <summary>Reloads now if the change counter moved (or always, when forced): read-your-writes for this silo.</summary>
    public async Task RefreshAsync(bool force = false, CancellationToken cancellationToken = default)
    {
        await _reload.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!force && await _store.GetChangeCounterAsync(cancellationToken).ConfigureAwait(false) == Current.ChangeCounter)
                return;
            var loaded = await _repository.LoadAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _current, loaded);
        }
        finally
        {
            _reload.Release();
        }
        try
        {
            Changed?.Invoke(Current);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "A configuration change handler failed");
        }
    }

    private async Task PollAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.ConfigurationPollInterval, _time, _stopping.Token).ConfigureAwait(false);
                await RefreshAsync(cancellationToken: _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The database may be briefly unreachable; keep serving the last snapshot (calls continue, R84's spirit).
                _logger.LogWarning(ex, "Configuration poll failed; keeping the snapshot of change {Counter}", Current.ChangeCounter);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Idempotent: the silo stops it, and its host disposes it again later.
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stopping.Cancel();
        try { await _poller.ConfigureAwait(false); } catch (OperationCanceledException) { }
        _stopping.Dispose();
    }
}
