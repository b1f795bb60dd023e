using System.Text.Json.Nodes;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Operations.Alarms;
using ConferenceCluster.Conferencing.Operations.EventSinks;
using ConferenceCluster.Conferencing.Cluster;
using ConferenceCluster.Storage.Documents;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConferenceCluster.Conferencing.Tests.Operations;

/// <summary>
/// The event sink publisher of one silo against a real local HTTP receiver that fails for a while: back-off and give-up
/// (L3070–3072), order per conference, nothing lost or repeated, the bounded queue. Delays are shortened through
/// <see cref="EventSinkOptions"/>; nothing here asserts how long anything took.
/// </summary>
public sealed class EventSinkDispatcherTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncDisposable
{
    private const string Node = "London01";
    private readonly InMemoryDocumentStore _store = new("event-sinks");
    private readonly EventReceiver _receiver = new();
    private EventSinkDispatcher? _dispatcher;

    private AlarmRegistry? _alarmRegistry;

    private AlarmRegistry Alarms => _alarmRegistry ??= new AlarmRegistry(_store, TimeProvider.System, NullLogger<AlarmRegistry>.Instance);

    private static LocalNode LocalSilo() => new(Node, new Dictionary<string, string> { [NodeMetadataKeys.Location] = "London" });

    private async Task<EventSinkDispatcher> StartAsync(EventSinkOptions options, EventSink sink)
    {
        var repository = new ConfigurationRepository(_store);
        Assert.True((await repository.CreateLocationAsync(new SystemLocation("London"))).Succeeded);
        var created = await new EventSinkRepository(_store).CreateAsync(sink);
        Assert.True(created.Succeeded, created.Report.ToString());
        _dispatcher = new EventSinkDispatcher(new EventSinkRepository(_store), LocalSilo(), options, Alarms,
            TimeProvider.System, new OutputLogger<EventSinkDispatcher>(output));
        await _dispatcher.StartAsync();
        return _dispatcher;
    }

    private EventSink Sink(string name = "audit") => new(name) { Url = _receiver.Url, SystemLocations = ["London"] };

    private static JsonObject Data(string conference, int n) => new() { ["conference"] = conference, ["n"] = n };

    private static Task WaitAsync(Func<Task<bool>> condition, string what) => WaitAsync(condition, () => what);

    /// <param name="what">What was awaited and how far it got, for the failure message.</param>
    private static async Task WaitAsync(Func<Task<bool>> condition, Func<string> what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (timeout.IsCancellationRequested) throw new TimeoutException($"gave up waiting for {what()}");
            await Task.Delay(20);
        }
    }

    private static Task WaitAsync(Func<bool> condition, string what) => WaitAsync(() => Task.FromResult(condition()), what);

    private static Task WaitAsync(Func<bool> condition, Func<string> what) => WaitAsync(() => Task.FromResult(condition()), what);

    private async Task<bool> AlarmUpAsync(AlarmKind kind) => (await Alarms.ActiveAsync()).Any(a => a.Key == kind.Key && a.Node == Node && a.Instance == "audit");

    /// <summary>
    /// L3070: the receiver answers 500 three times, then is down, then comes back. Every event of three interleaved
    /// conferences arrives exactly once (by seq) and in order per conference, with the sink's basic credentials (L3064).
    /// </summary>
    [Fact]
    public async Task A_failing_then_down_receiver_gets_every_event_once_in_order_per_conference_L3070()
    {
        _receiver.Answer = attempt => attempt <= 3 ? 500 : 200;
        var dispatcher = await StartAsync(new EventSinkOptions { InitialRetryDelay = TimeSpan.FromMilliseconds(50), MaximumBackoff = TimeSpan.FromMinutes(5) },
            Sink() with { Username = "sink-user", Password = "s3cret" });
        string[] conferences = ["alpha", "beta", "gamma"];
        for (var n = 0; n < 10; n++)
            foreach (var conference in conferences)
                Assert.Equal(1, dispatcher.Publish(SinkEventNames.ParticipantUpdated, conference, Data(conference, n), "London"));
        await WaitAsync(() => _receiver.Accepted.Count >= 5, "the first events after the failures");
        _receiver.Down();
        for (var n = 10; n < 15; n++)
            foreach (var conference in conferences)
                dispatcher.Publish(SinkEventNames.ParticipantUpdated, conference, Data(conference, n), "London");
        await Task.Delay(300); // a few retries against the closed port
        _receiver.Up();
        await WaitAsync(() => _receiver.Accepted.Count >= 45 && dispatcher.PendingFor("audit") == 0,
            () => $"all 45 events (received {_receiver.Accepted.Count} in {_receiver.Attempts} attempts; {dispatcher.PendingFor("audit")} pending)");

        var accepted = _receiver.Accepted;
        Assert.Equal(45, accepted.Count);
        Assert.Equal(45, accepted.Select(e => e.GetProperty("seq").GetInt64()).Distinct().Count());
        foreach (var conference in conferences)
            Assert.Equal(Enumerable.Range(0, 15), accepted.Where(e => e.GetProperty("data").GetProperty("conference").GetString() == conference)
                .Select(e => e.GetProperty("data").GetProperty("n").GetInt32()));
        Assert.True(_receiver.Attempts >= 48, $"only {_receiver.Attempts} attempts: the three 500s were not retried");
        Assert.All(accepted, e => Assert.Equal((SinkEventNames.ParticipantUpdated, Node, 1),
            (e.GetProperty("event").GetString(), e.GetProperty("node").GetString(), e.GetProperty("version").GetInt32())));
        Assert.All(_receiver.Authorizations, a => Assert.Equal("Basic " + Convert.ToBase64String("sink-user:s3cret"u8.ToArray()), a));
        Assert.False(await AlarmUpAsync(AlarmCatalogue.EventSinkMaximumBackoff));
    }

    /// <summary>
    /// L3072, L15404: a sink that never answers 2xx backs off until the next wait would pass the maximum, then raises
    /// eventsink_maximum_backoff and stops (no more attempts). Re-enabling it (changing its configuration, L3074–3081)
    /// lowers the alarm and delivers what was held, in order.
    /// </summary>
    [Fact]
    public async Task A_sink_past_maximum_backoff_raises_the_alarm_stops_and_resumes_when_re_enabled_L3072()
    {
        _receiver.Answer = _ => 500;
        var dispatcher = await StartAsync(new EventSinkOptions
        {
            InitialRetryDelay = TimeSpan.FromMilliseconds(20),
            MaximumBackoff = TimeSpan.FromMilliseconds(200),
            ConfigurationRefreshInterval = TimeSpan.FromHours(1), // re-enabled below by an explicit refresh
        }, Sink());
        dispatcher.Publish(SinkEventNames.ConferenceStarted, "alpha", Data("alpha", 0), "London");
        dispatcher.Publish(SinkEventNames.ConferenceEnded, "alpha", Data("alpha", 1), "London");

        await WaitAsync(() => AlarmUpAsync(AlarmCatalogue.EventSinkMaximumBackoff), "the maximum backoff alarm");
        // Waits 20, 40, 80, 160 ms follow failed attempts 1–4; the 5th failure would wait 320 ms > 200 ms: it stops.
        Assert.Equal(5, _receiver.Attempts);
        var alarm = (await Alarms.ActiveAsync()).Single();
        Assert.Equal((AlarmLevel.Critical, "Eventsink Reached Maximum Backoff"), (alarm.Level, alarm.Name));
        await Task.Delay(500);
        Assert.Equal(5, _receiver.Attempts);
        Assert.Equal(2, dispatcher.PendingFor("audit"));

        _receiver.Answer = _ => 204;
        var sinks = new EventSinkRepository(_store);
        var current = (await sinks.GetAsync("audit"))!;
        Assert.True((await sinks.UpdateAsync(current.Value with { Description = "re-enabled" }, current.Version)).Succeeded);
        await dispatcher.RefreshAsync();
        await WaitAsync(() => _receiver.Accepted.Count == 2, "the held events");
        Assert.Equal([SinkEventNames.ConferenceStarted, SinkEventNames.ConferenceEnded], _receiver.Accepted.Select(e => e.GetProperty("event").GetString()));
        Assert.False(await AlarmUpAsync(AlarmCatalogue.EventSinkMaximumBackoff));
        Assert.Contains(await Alarms.HistoryAsync(), h => h.Alarm.Key == AlarmCatalogue.EventSinkMaximumBackoff.Key && h.Alarm.Instance == "audit");
    }

    /// <summary>The bounded queue: past its limit new events are refused with the queue-full alarm, never dropped silently; it clears once drained.</summary>
    [Fact]
    public async Task A_full_queue_refuses_with_an_alarm_and_clears_when_drained()
    {
        var release = new TaskCompletionSource();
        _receiver.Answer = _ => release.Task.IsCompleted ? 200 : 503;
        var dispatcher = await StartAsync(new EventSinkOptions { InitialRetryDelay = TimeSpan.FromMilliseconds(20), MaximumBackoff = TimeSpan.FromMinutes(5), QueueLimit = 3 }, Sink());
        var taken = Enumerable.Range(0, 5).Select(n => dispatcher.Publish(SinkEventNames.ParticipantConnected, "alpha", Data("alpha", n), "London")).ToList();
        Assert.Equal([1, 1, 1, 0, 0], taken);
        await WaitAsync(() => AlarmUpAsync(AlarmCatalogue.EventSinkQueueFull), "the queue-full alarm");

        release.SetResult();
        await WaitAsync(() => _receiver.Accepted.Count == 3 && dispatcher.PendingFor("audit") == 0, "the queued events");
        Assert.Equal([0, 1, 2], _receiver.Accepted.Select(e => e.GetProperty("data").GetProperty("n").GetInt32()));
        await WaitAsync(async () => !await AlarmUpAsync(AlarmCatalogue.EventSinkQueueFull), "the queue-full alarm to be lowered");
    }

    /// <summary>A sink gets the events of the locations it is configured for, and nothing from another (R-ES-5, L3052).</summary>
    [Fact]
    public async Task A_sink_gets_the_events_of_its_own_locations_only_L3052()
    {
        var repository = new ConfigurationRepository(_store);
        Assert.True((await repository.CreateLocationAsync(new SystemLocation("Oslo"))).Succeeded);
        var dispatcher = await StartAsync(new EventSinkOptions(), Sink() with { SystemLocations = ["Oslo"] });
        Assert.Equal(0, dispatcher.Publish(SinkEventNames.ConferenceStarted, "alpha", Data("alpha", 0), "London"));
        Assert.Equal(1, dispatcher.Publish(SinkEventNames.ConferenceStarted, "beta", Data("beta", 1), "Oslo"));
        await WaitAsync(() => Task.FromResult(_receiver.Accepted.Count == 1 && dispatcher.PendingFor("audit") == 0), "the Oslo event");
        Assert.Equal("beta", Assert.Single(_receiver.Accepted).GetProperty("data").GetProperty("conference").GetString());
    }

    /// <summary>Validation names the field (L3063–3066).</summary>
    [Theory]
    [InlineData("ftp://example.com/", true, "", "", 1, "url")]
    [InlineData("http://127.0.0.1/", false, "", "", 1, "verify_tls")]
    [InlineData("http://127.0.0.1/", true, "user", "", 1, "password")]
    [InlineData("http://127.0.0.1/", true, "", "", 2, "version")]
    public void Validation_names_the_field_L3063(string url, bool verifyTls, string username, string password, int version, string field)
    {
        var sink = new EventSink("audit") { Url = url, VerifyTls = verifyTls, Username = username, Password = password, Version = version };
        Assert.Equal([field], sink.Validate(["London"]).Errors.Select(e => e.Field));
    }

    public async ValueTask DisposeAsync()
    {
        if (_dispatcher is not null) await _dispatcher.DisposeAsync();
        _receiver.Dispose();
    }
}

/// <summary>The publisher's log lines in the test's output: what it retried and why, when a test fails.</summary>
internal sealed class OutputLogger<T>(Xunit.Abstractions.ITestOutputHelper output) : Microsoft.Extensions.Logging.ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Information;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try { output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {formatter(state, exception)}"); }
        catch (InvalidOperationException) { /* the test has ended */ }
    }
}
