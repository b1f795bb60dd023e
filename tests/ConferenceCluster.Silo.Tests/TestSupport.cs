using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using ConferenceCluster.Runtime.Hosting;
using ConferenceCluster.Runtime.Storage;
using ConferenceCluster.Silo.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Silo.Tests;

/// <summary>Starts real silo hosts in this process: real Kestrel and silo sockets on ephemeral ports, a shared in-memory cluster store.</summary>
internal static class TestSilos
{
    public const string AdminPassword = "correct horse battery staple";

    /// <summary>Builds (does not start) a host. Settings override the test defaults: memory store, ephemeral ports.</summary>
    public static SiloHost Create(
        IClusterStore store, IDictionary<string, string?>? settings = null, CapturedLogs? logs = null,
        Action<SiloBuilder>? configureSilo = null, string[]? args = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Cluster:Id"] = store.ClusterId,
            ["Cluster:Storage"] = "memory",
            ["Silo:Ports:Silo"] = "0",
            ["Silo:Ports:Gateway"] = "0",
            ["Silo:Ports:Http"] = "0",
            ["Silo:Ports:Sip"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            values[key] = value;

        return SiloHost.Create(args ?? [], web =>
        {
            web.Configuration.AddInMemoryCollection(values);
            web.Services.AddSingleton<IClusterStoreProvider>(new SharedStoreProvider(store));
            web.Logging.ClearProviders();
            if (logs is not null)
                web.Logging.AddProvider(logs);
        }, configureSilo);
    }

    public static async Task<SiloHost> StartAsync(IClusterStore store, IDictionary<string, string?>? settings = null, CapturedLogs? logs = null)
    {
        var host = Create(store, settings, logs);
        await host.StartAsync();
        return host;
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

    private sealed class SharedStoreProvider(IClusterStore store) : IClusterStoreProvider
    {
        public IClusterStore Create(ClusterStorageKind kind, string clusterId, string? connectionString) => store;
    }
}

/// <summary>Every log entry of the hosts it is given to, with its structured values.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    public sealed record Entry(string Category, EventId EventId, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Values);

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
            entries.Enqueue(new Entry(category, eventId, logLevel, formatter(state, exception), values));
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
