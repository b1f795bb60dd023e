using System.Text;
using System.Text.Json;

namespace ConferenceCluster.ClientApi.Tests.Support;

/// <summary>One server-sent event as a client reads it.</summary>
internal sealed record SseEvent(string Name, JsonElement Data);

/// <summary>
/// Reads a client API event stream over plain HTTP, parsing the text/event-stream framing as a browser does (event:,
/// data: lines joined with LF, a blank line dispatches, comment lines ignored). Every read is bounded.
/// </summary>
internal sealed class SseReader : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;
    private readonly List<SseEvent> _seen = [];
    private readonly List<string> _arrivals = [];
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    private SseReader(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public string? ContentType => _response.Content.Headers.ContentType?.MediaType;

    public static async Task<SseReader> OpenAsync(HttpClient http, ClientApiHttp client, bool tokenInQuery = true)
    {
        var url = client.Url("events") + (tokenInQuery ? "?token=" + Uri.EscapeDataString(client.Token!) : "");
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (!tokenInQuery) request.Headers.Add("token", client.Token);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
            Assert.Fail($"GET events: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return new SseReader(response, new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8));
    }

    public async Task<SseEvent> NextAsync()
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        string? name = null;
        var data = new StringBuilder();
        var hasData = false;
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no event within {ReadTimeout.TotalSeconds} s; seen so far: {string.Join(", ", _arrivals)}");
            }
            if (line is null) throw new EndOfStreamException($"the event stream ended; seen: {string.Join(", ", _arrivals)}");
            if (line.Length == 0)
            {
                if (name is null && !hasData) continue;
                var parsed = new SseEvent(name ?? "message", JsonDocument.Parse(hasData ? data.ToString() : "null").RootElement.Clone());
                _seen.Add(parsed);
                _arrivals.Add($"{parsed.Name}@{_clock.Elapsed.TotalSeconds:F1}s");
                return parsed;
            }
            if (line.StartsWith(':')) continue;
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            if (field == "event") name = value;
            else if (field == "data")
            {
                if (hasData) data.Append('\n');
                data.Append(value);
                hasData = true;
            }
        }
    }

    /// <summary>Reads on to the next event of this name (skipping others, e.g. stage).</summary>
    public async Task<SseEvent> ReadUntilAsync(string name)
    {
        while (true)
        {
            var next = await NextAsync();
            if (next.Name == name) return next;
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
