using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Gateway.Tests.Support;

/// <summary>A silo's log lines (Information and up), kept in memory to explain a failed test; the newest 5,000.</summary>
internal sealed class SiloLogs : ILoggerProvider
{
    private const int Kept = 5000;
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => _lines.ToList();

    public string Tail(int count = 40) => string.Join('\n', Lines.TakeLast(count));

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.GetType().Name + ": " + exception.Message)}");
            while (lines.Count > Kept) lines.TryDequeue(out _);
        }
    }
}
