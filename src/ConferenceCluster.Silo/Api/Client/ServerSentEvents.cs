using System.Text;

namespace ConferenceCluster.Silo.Api.Client;

/// <summary>
/// The text/event-stream framing (HTML Living Standard, "Server-sent events"): <c>event: name</c>, one <c>data:</c> line
/// per line of the payload, a blank line to dispatch. A payload's own line breaks (CR, LF or CRLF) become separate
/// <c>data:</c> lines, which the browser joins back with LF; an event name may not contain a line break, or a caller
/// could smuggle a second event through it.
/// </summary>
public static class ServerSentEvents
{
    public const string ContentType = "text/event-stream";

    public static string Event(string name, string data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.AsSpan().IndexOfAny('\r', '\n') >= 0)
            throw new ArgumentException("an event name is one line", nameof(name));
        var frame = new StringBuilder(name.Length + data.Length + 16);
        frame.Append("event: ").Append(name).Append('\n');
        foreach (var line in Lines(data))
            frame.Append("data: ").Append(line).Append('\n');
        return frame.Append('\n').ToString();
    }

    /// <summary>A comment line (ignored by the browser): keeps proxies and the connection from going idle.</summary>
    public static string Comment(string text) => ": " + text.ReplaceLineEndings(" ") + "\n\n";

    private static IEnumerable<string> Lines(string data)
    {
        var start = 0;
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] is not ('\r' or '\n')) continue;
            yield return data[start..i];
            if (data[i] == '\r' && i + 1 < data.Length && data[i + 1] == '\n') i++;
            start = i + 1;
        }
        yield return data[start..];
    }
}
