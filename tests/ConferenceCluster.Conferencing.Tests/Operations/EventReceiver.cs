using System.Net;
using System.Text.Json;
using ConferenceCluster.Silo.Hosting;

namespace ConferenceCluster.Conferencing.Tests.Operations;

/// <summary>
/// A local event sink server (HttpListener on 127.0.0.1): answers each POST with the status <see cref="Answer"/> gives for
/// its attempt number, keeps the bodies it answered 2xx to, and can go down (stop listening) and come back on its port.
/// </summary>
internal sealed class EventReceiver : IDisposable
{
    private readonly object _gate = new();
    private readonly List<JsonElement> _accepted = [];
    private readonly List<string?> _authorizations = [];
    private HttpListener? _listener;
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
        var listener = new HttpListener();
        listener.Prefixes.Add(Url);
        listener.Start();
        _listener = listener;
        _ = ServeAsync(listener);
    }

    /// <summary>
    /// Stops listening, as a receiver process that went away: new POSTs are refused at the TCP level, and connections the
    /// sink kept alive are dropped with whatever request they carried (Abort, not Stop: a stopped listener left them open
    /// and unanswered, so a POST on one waited out the sink's whole request timeout).
    /// </summary>
    public void Down()
    {
        var listener = Interlocked.Exchange(ref _listener, null);
        listener?.Abort();
    }

    public void Dispose() => Down();

    private async Task ServeAsync(HttpListener listener)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception) when (!listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            var attempt = Interlocked.Increment(ref _attempts);
            var status = Answer(attempt);
            using (var reader = new StreamReader(context.Request.InputStream))
            {
                var body = await reader.ReadToEndAsync();
                if (status is >= 200 and < 300)
                    lock (_gate)
                    {
                        _accepted.Add(JsonDocument.Parse(body).RootElement.Clone());
                        _authorizations.Add(context.Request.Headers["Authorization"]);
                    }
            }
            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }
}
