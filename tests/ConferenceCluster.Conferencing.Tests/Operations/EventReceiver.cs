using System.Net;
using System.Text.Json;
using ConferenceCluster.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Conferencing.Tests.Operations;

/// <summary>
/// A local event sink server (Kestrel on 127.0.0.1): answers each POST with the status <see cref="Answer"/> gives for
/// its attempt number, keeps the bodies it answered 2xx to, and can go down (stop listening, drop its connections) and
/// come back on its port.
/// </summary>
/// <remarks>
/// Not HttpListener: its managed implementation answers a request that is queued but not yet handed out when the
/// listener is aborted with an empty <c>200 OK</c> (closing the response stream writes the default headers), so a sink
/// "delivered" an event this receiver never saw (the dispatcher test failed ~1 run in 4: 44 of 45 received, 0 pending).
/// Going down is made atomic with answering: a request being answered finishes first, one that arrives after is dropped
/// unanswered, as a receiver process that went away would drop it; nothing is kept that the sink was not told was taken.
/// </remarks>
internal sealed class EventReceiver : IDisposable
{
    private readonly object _gate = new();
    private readonly SemaphoreSlim _answering = new(1, 1);
    private readonly List<JsonElement> _accepted = [];
    private readonly List<string?> _authorizations = [];
    private Server? _server;
    private int _attempts;

    public EventReceiver()
    {
        Port = FreePorts.Pick();
        Up();
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/events/";

    /// <summary>Status for the n-th attempt (1-based); 200 by default.</summary>
    public Func<int, int> Answer { get; set; } = _ => 200;

    public int Attempts => Volatile.Read(ref _attempts);

    public IReadOnlyList<JsonElement> Accepted
    {
        get { lock (_gate) return _accepted.ToList(); }
    }

    public IReadOnlyList<string?> Authorizations
    {
        get { lock (_gate) return _authorizations.ToList(); }
    }

    public void Up()
    {
        var server = new Server();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, Port));
        var app = builder.Build();
        app.MapPost("/events/", context => AnswerAsync(context, server));
        app.StartAsync().GetAwaiter().GetResult();
        server.App = app;
        _server = server;
    }

    /// <summary>
    /// Stops listening, as a receiver process that went away: new connections are refused and open ones dropped with
    /// whatever request they carried (unanswered). A request already being answered is answered first.
    /// </summary>
    public void Down()
    {
        var server = Interlocked.Exchange(ref _server, null);
        if (server?.App is not { } app) return;
        server.Stopped = true;
        _answering.Wait();
        _answering.Release();
        using var now = new CancellationTokenSource();
        now.Cancel();
        try
        {
            app.StopAsync(now.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
        }
        app.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    public void Dispose() => Down();

    private async Task AnswerAsync(HttpContext context, Server server)
    {
        await _answering.WaitAsync();
        try
        {
            if (server.Stopped)
            {
                context.Abort(); // gone: no answer, nothing kept
                return;
            }
            var attempt = Interlocked.Increment(ref _attempts);
            var status = Answer(attempt);
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            if (status is >= 200 and < 300)
                lock (_gate)
                {
                    _accepted.Add(JsonDocument.Parse(body).RootElement.Clone());
                    _authorizations.Add(context.Request.Headers.Authorization.ToString() is { Length: > 0 } authorization ? authorization : null);
                }
            context.Response.StatusCode = status;
            await context.Response.CompleteAsync(); // on the wire before going down can begin
        }
        finally
        {
            _answering.Release();
        }
    }

    /// <summary>One run of the receiver between an Up and a Down.</summary>
    private sealed class Server
    {
        public WebApplication? App { get; set; }

        public volatile bool Stopped;
    }
}
