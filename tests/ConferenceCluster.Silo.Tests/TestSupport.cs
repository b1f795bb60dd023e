using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using ConferenceCluster.Gateway.Tests.Support;
using ConferenceCluster.Storage.Documents;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;

namespace ConferenceCluster.Silo.Tests;

/// <summary>
/// Starts real silo hosts in this process: real Kestrel and Orleans sockets on ports chosen at start (port 0: FreePorts). A host on its own is a
/// cluster of its own (<c>Cluster:Storage=memory</c>); silos of one cluster share the test PostgreSQL under a cluster
/// id of their test's own (<see cref="PostgresCluster"/>).
/// </summary>
internal static class TestSilos
{
    public const string AdminPassword = "correct horse battery staple";

    /// <summary>
    /// Builds (does not start) a host. Settings override the test defaults: memory storage, ports chosen at start, a configured capacity.
    /// <paramref name="documents"/> is a configuration store the test owns (to read or race it); by default the host opens its own.
    /// </summary>
    public static SiloHost Create(
        IDictionary<string, string?>? settings = null, CapturedLogs? logs = null, Action<ISiloBuilder>? configureSilo = null,
        IClusterDocumentStore? documents = null, string[]? args = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Cluster:Id"] = TestPostgres.NewClusterId("memory"),
            ["Cluster:Storage"] = "memory",
            ["Silo:Ports:Silo"] = "0",
            ["Silo:Ports:Gateway"] = "0",
            ["Silo:Ports:Http"] = "0",
            ["Silo:Ports:Sip"] = "0",
            // A configured capacity skips the startup capacity check (seconds of audio and 720p video work per silo);
            // the tests of the check itself set it to null.
            ["Silo:Capacity:AudioCalls"] = "1000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            values[key] = value;

        return SiloHost.Create(args ?? [], web =>
        {
            web.Configuration.AddInMemoryCollection(values);
            web.Logging.ClearProviders();
            if (logs is not null)
                web.Logging.AddProvider(logs);
        }, configureSilo, documents);
    }

    public static async Task<SiloHost> StartAsync(IDictionary<string, string?>? settings = null, CapturedLogs? logs = null, IClusterDocumentStore? documents = null)
    {
        var host = Create(settings, logs, documents: documents);
        await host.StartAsync();
        return host;
    }

    /// <summary>The settings that put a silo in a fresh cluster on the test PostgreSQL; every silo of the test gets the same.</summary>
    public static Dictionary<string, string?> PostgresCluster(string prefix) => new()
    {
        ["Cluster:Id"] = TestPostgres.NewClusterId(prefix),
        ["Cluster:Storage"] = "postgres",
        ["Cluster:ConnectionString"] = TestPostgres.ConnectionString,
    };

    /// <summary>The two sets of settings, the second winning.</summary>
    public static Dictionary<string, string?> With(this IDictionary<string, string?> settings, IDictionary<string, string?> more)
    {
        var merged = new Dictionary<string, string?>(settings);
        foreach (var (key, value) in more) merged[key] = value;
        return merged;
    }

    public static HttpClient Http(SiloHost host, string? username = null, string? password = null)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.HttpPort}") };
        if (username is not null)
            client.DefaultRequestHeaders.Authorization = Basic(username, password ?? "");
        return client;
    }

    public static AuthenticationHeaderValue Basic(string username, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));

    /// <summary>
    /// Waits until the host serves, as a load balancer sees it: <c>/health/ready</c> answers 200 (its silo is ready and
    /// its web server, which starts after it, listens). Fails at once if <paramref name="run"/> ends first.
    /// </summary>
    public static Task ServingAsync(this SiloHost host, Task<int> run, int timeoutSeconds = 60) =>
        Eventually.TrueAsync(async () =>
        {
            if (run.IsCompleted) throw new InvalidOperationException($"the host stopped (exit code {await run}) before it served");
            if (host.HttpPort == 0) return false;
            using var http = Http(host);
            try
            {
                return (await http.GetAsync("/health/ready")).StatusCode == System.Net.HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false; // not listening yet
            }
        }, "the host to serve", timeoutSeconds);

    /// <summary>How many silos this silo's view of Orleans' membership shows active.</summary>
    public static int ActiveSilos(this SiloHost host) => host.Silo.Membership.Members.Values.Count(m => m.Status == SiloStatus.Active);
}

/// <summary>Every log entry of the hosts it is given to, with its structured values.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    public sealed record Entry(string Category, EventId EventId, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Values, Exception? Exception = null);

    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyList<Entry> Entries => _entries.ToList();

    public IEnumerable<Entry> WithEvent(string eventName) => Entries.Where(e => e.EventId.Name == eventName);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.ToDictionary(p => p.Key, p => p.Value) : new Dictionary<string, object?>();
            entries.Enqueue(new Entry(category, eventId, logLevel, formatter(state, exception), values, exception));
        }
    }
}

internal static class Eventually
{
    /// <summary>Waits for a condition that other threads make true (a membership refresh, a process exit); the timeout only bounds a hang.</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, int timeoutSeconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        while (!condition())
        {
            if (timeout.IsCancellationRequested)
                throw new TimeoutException($"gave up waiting for {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>The same for a condition that has to ask (an HTTP read, a grain call).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, int timeoutSeconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        while (!await condition())
        {
            if (timeout.IsCancellationRequested)
                throw new TimeoutException($"gave up waiting for {what}");
            await Task.Delay(20);
        }
    }
}

/// <summary>
/// How each silo incarnation of a host left the cluster, as Orleans' membership agent marked it when it stopped being
/// active: <see cref="SiloStatus.ShuttingDown"/> for a graceful leave (its grains deactivate, then Dead), or
/// <see cref="SiloStatus.Stopping"/> for a stop without one. Recorded on the silo itself, so no other silo's view has
/// to catch the short-lived status.
/// </summary>
internal sealed class LeaveRecorder
{
    private readonly ConcurrentDictionary<SiloAddress, TaskCompletionSource<SiloStatus>> _leaves = new();

    /// <summary>Add to every incarnation through <c>SiloHost.Create</c>'s configureSilo.</summary>
    public void Install(ISiloBuilder silo) =>
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => new Participant(this, services));

    /// <summary>The status the incarnation at <paramref name="silo"/> left with (completes when it has stopped being active).</summary>
    public Task<SiloStatus> LeftAsync(SiloAddress silo) => Leave(silo).Task;

    private TaskCompletionSource<SiloStatus> Leave(SiloAddress silo) =>
        _leaves.GetOrAdd(silo, _ => new TaskCompletionSource<SiloStatus>(TaskCreationOptions.RunContinuationsAsynchronously));

    private sealed class Participant(LeaveRecorder recorder, IServiceProvider services) : ILifecycleParticipant<ISiloLifecycle>
    {
        // Stops run in reverse stage order: by this stage's stop the agent has left BecomeActive (ShuttingDown or
        // Stopping) and the silo is not Dead yet.
        public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(nameof(LeaveRecorder), ServiceLifecycleStage.ApplicationServices,
            _ => Task.CompletedTask,
            _ =>
            {
                var oracle = services.GetRequiredService<ISiloStatusOracle>();
                recorder.Leave(oracle.SiloAddress).TrySetResult(oracle.CurrentStatus);
                return Task.CompletedTask;
            });
    }
}
