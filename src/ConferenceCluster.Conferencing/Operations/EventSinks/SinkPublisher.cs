using System.Net.Http.Headers;
using System.Text;
using ConferenceCluster.Conferencing.Operations.Alarms;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Conferencing.Operations.EventSinks;

/// <summary>
/// Delivers one sink's events from one silo, one at a time and in the order they were published (so in order per
/// conference), retrying the head event with the seed's back-off: 1, 2, 4, 8 … s (L3070). When the next wait would pass
/// the maximum (30 min) it raises "Eventsink Reached Maximum Backoff" and stops (L3072); its events stay queued for
/// the publisher that replaces it once the sink is re-enabled (its configuration changes, L3074–3081).
/// </summary>
internal sealed class SinkPublisher : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Queue<SinkEvent> _queue = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly EventSinkOptions _options;
    private readonly AlarmRegistry _alarms;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _node;
    private readonly HttpClient _http;
    private Task _loop = Task.CompletedTask;
    private bool _queueFullRaised;

    public SinkPublisher(EventSink sink, string node, EventSinkOptions options, AlarmRegistry alarms, TimeProvider time, ILogger logger)
    {
        Sink = sink;
        _node = node;
        _options = options;
        _alarms = alarms;
        _time = time;
        _logger = logger;
        var handler = new SocketsHttpHandler();
        if (!sink.VerifyTls)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        // Timeouts come from RequestTimeout on the TimeProvider, not HttpClient's own clock.
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public EventSink Sink { get; }

    /// <summary>True once it gave up (maximum back-off): it delivers nothing more but keeps what it holds.</summary>
    public bool GaveUp { get; private set; }

    public int Pending
    {
        get { lock (_gate) return _queue.Count; }
    }

    public void Start(IEnumerable<SinkEvent> carriedOver)
    {
        lock (_gate)
            foreach (var e in carriedOver)
            {
                _queue.Enqueue(e);
                _signal.Release();
            }
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues the event unless the queue is full; a refusal raises the queue-full alarm (never a silent drop).</summary>
    public bool TryEnqueue(SinkEvent sinkEvent)
    {
        bool raise;
        lock (_gate)
        {
            if (_queue.Count < _options.QueueLimit)
            {
                _queue.Enqueue(sinkEvent);
                _signal.Release();
                return true;
            }
            raise = !_queueFullRaised;
            _queueFullRaised = true;
        }
        _logger.LogError("support.event Event sink {Sink} queue is full ({Limit} events): refused {Event} seq {Seq}",
            Sink.Name, _options.QueueLimit, sinkEvent.Event, sinkEvent.Seq);
        if (raise)
            _ = _alarms.RaiseAsync(AlarmCatalogue.EventSinkQueueFull, _node, Sink.Name,
                $"{_options.QueueLimit} events are waiting for {Sink.Url}; new events are refused");
        return false;
    }

    /// <summary>Stops delivering and hands back what was not delivered, oldest first.</summary>
    public async Task<IReadOnlyList<SinkEvent>> StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        lock (_gate) return _queue.ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _http.Dispose();
        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        var ct = _stopping.Token;
        while (!ct.IsCancellationRequested)
        {
            await _signal.WaitAsync(ct).ConfigureAwait(false);
            SinkEvent head;
            lock (_gate) head = _queue.Peek();
            if (!await DeliverWithBackoffAsync(head, ct).ConfigureAwait(false))
                return;
            bool drained;
            lock (_gate)
            {
                _queue.Dequeue();
                drained = _queue.Count == 0 && _queueFullRaised;
                if (drained) _queueFullRaised = false;
            }
            if (drained)
                await _alarms.LowerAsync(AlarmCatalogue.EventSinkQueueFull, _node, Sink.Name, ct).ConfigureAwait(false);
        }
    }

    /// <summary>True once delivered; false when it gave up (and raised the alarm).</summary>
    private async Task<bool> DeliverWithBackoffAsync(SinkEvent sinkEvent, CancellationToken ct)
    {
        var wait = _options.InitialRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            var failure = await TryPostAsync(sinkEvent, ct).ConfigureAwait(false);
            if (failure is null) return true;
            if (wait > _options.MaximumBackoff)
            {
                GaveUp = true;
                _logger.LogError("support.event Event sink {Sink} reached maximum backoff after {Attempts} attempts ({Failure}); its publisher stops",
                    Sink.Name, attempt, failure);
                await _alarms.RaiseAsync(AlarmCatalogue.EventSinkMaximumBackoff, _node, Sink.Name,
                    $"{Sink.Url}: {failure}; publisher stopped until the event sink is re-enabled", ct).ConfigureAwait(false);
                return false;
            }
            _logger.LogWarning("support.event Event sink {Sink} failed ({Failure}); retrying {Event} seq {Seq} in {Wait}",
                Sink.Name, failure, sinkEvent.Event, sinkEvent.Seq, wait);
            await Task.Delay(wait, _time, ct).ConfigureAwait(false);
            wait += wait;
        }
    }

    /// <summary>Null when the sink took it (any 2xx); else why not.</summary>
    private async Task<string?> TryPostAsync(SinkEvent sinkEvent, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Sink.Url)
            {
                Content = new StringContent(sinkEvent.ToJson(Sink.Version), Encoding.UTF8, "application/json"),
            };
            if (Sink.Username.Length > 0)
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                    Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Sink.Username}:{Sink.Password}")));
            using var response = await _http.SendAsync(request, linked.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"no answer within {_options.RequestTimeout}";
        }
        catch (HttpRequestException ex)
        {
            return ex.Message;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever else a receiver's answer (or its connection) can throw is a failed attempt too: retried with
            // back-off like any other. Escaping here would end the publisher's loop silently, holding every later event.
            return $"{ex.GetType().Name}: {ex.Message}";
        }
    }
}
