using System.Text.Json.Nodes;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Operations.Alarms;
using ConferenceCluster.Conferencing.Cluster;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Conferencing.Operations.EventSinks;

/// <summary>
/// This silo's event sink publishing: one <see cref="SinkPublisher"/> per configured sink, fed with the conference events
/// that reach this silo (<see cref="ConferenceEventSinkGrain"/>), each to the sinks of the location of the node that
/// produced it (R-ES-5, L3052; all events always, L3046). It re-reads the sinks every
/// <see cref="EventSinkOptions.ConfigurationRefreshInterval"/>: a new sink starts, a removed one stops, and a changed one
/// (a stopped one re-enabled, L3074–3081) gets a fresh publisher that takes over the undelivered events.
/// </summary>
public sealed class EventSinkDispatcher : IAsyncDisposable
{
    private readonly EventSinkRepository _repository;
    private readonly LocalNode _silo;
    private readonly EventSinkOptions _options;
    private readonly AlarmRegistry _alarms;
    private readonly TimeProvider _time;
    private readonly ILogger<EventSinkDispatcher> _logger;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private Dictionary<string, SinkPublisher> _publishers = new(StringComparer.Ordinal);
    private long _seq;
    private Task _poller = Task.CompletedTask;
    private int _started;
    private int _disposed;

    public EventSinkDispatcher(EventSinkRepository repository, LocalNode silo, EventSinkOptions options, AlarmRegistry alarms,
        TimeProvider time, ILogger<EventSinkDispatcher> logger)
    {
        _repository = repository;
        _silo = silo;
        _options = options;
        _alarms = alarms;
        _time = time;
        _logger = logger;
    }

    /// <summary>Queues the event for every sink of <paramref name="location"/> (where it happened); returns how many sinks took it.</summary>
    public int Publish(string eventName, string conference, JsonObject data, string location)
    {
        var sinkEvent = new SinkEvent(Interlocked.Increment(ref _seq), eventName, _silo.Name, _time.GetUtcNow(), data);
        Dictionary<string, SinkPublisher> publishers;
        lock (_gate) publishers = _publishers;
        var serving = publishers.Values.Where(p => p.Sink.SystemLocations.Contains(location)).ToList();
        var taken = 0;
        foreach (var publisher in serving)
            if (publisher.TryEnqueue(sinkEvent)) taken++;
        if (taken < serving.Count)
            _logger.LogError("{Event} of {Conference} was refused by {Count} full event sink queue(s)", eventName, conference, serving.Count - taken);
        return taken;
    }

    /// <summary>How many events wait for the sink on this silo (null when this silo does not publish to it).</summary>
    public int? PendingFor(string sink)
    {
        lock (_gate) return _publishers.TryGetValue(sink, out var p) ? p.Pending : null;
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1) return;
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        _poller = Task.Run(PollAsync, CancellationToken.None);
    }

    /// <summary>Re-reads the sinks and starts, stops or replaces publishers to match.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var wanted = (await _repository.ListAsync(cancellationToken).ConfigureAwait(false))
                .Select(v => v.Value).Where(s => s.SystemLocations.Count > 0).ToDictionary(s => s.Name, StringComparer.Ordinal);
            Dictionary<string, SinkPublisher> current;
            lock (_gate) current = _publishers;
            var next = new Dictionary<string, SinkPublisher>(StringComparer.Ordinal);
            var retired = new List<SinkPublisher>();
            foreach (var (name, sink) in wanted)
            {
                if (current.TryGetValue(name, out var running) && running.Sink.Equivalent(sink))
                {
                    next[name] = running;
                    continue;
                }
                var publisher = new SinkPublisher(sink, _silo.Name, _options, _alarms, _time, _logger);
                IReadOnlyList<SinkEvent> carried = [];
                if (running is not null)
                {
                    carried = await running.StopAsync().ConfigureAwait(false);
                    retired.Add(running);
                    // Re-enabled (or re-pointed): whatever stopped the old publisher is for the operator to have fixed.
                    await _alarms.LowerAsync(AlarmCatalogue.EventSinkMaximumBackoff, _silo.Name, name, cancellationToken).ConfigureAwait(false);
                }
                publisher.Start(carried);
                next[name] = publisher;
                _logger.LogInformation("support.event Event sink {Sink} publishing to {Url} ({Carried} events carried over)", name, sink.Url, carried.Count);
            }
            retired.AddRange(current.Where(kv => !wanted.ContainsKey(kv.Key)).Select(kv => kv.Value));
            lock (_gate) _publishers = next;
            foreach (var publisher in retired)
                await publisher.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _refresh.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Idempotent: the silo stops it, and its host disposes it again later.
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _poller.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        Dictionary<string, SinkPublisher> publishers;
        lock (_gate)
        {
            publishers = _publishers;
            _publishers = new(StringComparer.Ordinal);
        }
        foreach (var publisher in publishers.Values)
            await publisher.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task PollAsync()
    {
        var ct = _stopping.Token;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.ConfigurationRefreshInterval, _time, ct).ConfigureAwait(false);
                await RefreshAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Could not re-read the event sinks; keeping the current ones");
            }
        }
    }
}
