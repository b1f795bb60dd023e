using System.Globalization;

namespace ConferenceCluster.Sip.Sdp;

/// <summary>
/// Parses RFC 4566 text. Tolerant where endpoints commonly are sloppy (bare LF line ends, blank lines,
/// missing s= or t=), strict where a mistake would send media to the wrong place (o=, c=, m= syntax).
/// Never throws on bad input.
/// </summary>
internal static class SdpParser
{
    public static bool TryParse(string text, out SdpSessionDescription? result, out string? error)
    {
        result = null;
        var sdp = new SdpSessionDescription();
        SdpMediaDescription? media = null;
        var sawVersion = false;
        var lineNumber = 0;

        var remaining = text.AsSpan();
        while (!remaining.IsEmpty)
        {
            // RFC 4566 5: lines end in CRLF, and parsers should also accept a bare LF.
            var newline = remaining.IndexOf('\n');
            var rawLine = newline >= 0 ? remaining[..newline] : remaining;
            remaining = newline >= 0 ? remaining[(newline + 1)..] : default;
            lineNumber++;
            var line = rawLine.TrimEnd('\r');
            if (line.IsEmpty) continue;
            if (line.Length < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z')
            {
                error = $"line {lineNumber} is not <type>=<value>";
                return false;
            }
            var type = line[0];
            var value = line[2..];
            if (!sawVersion)
            {
                // RFC 4566 5.1: the description starts with v=0.
                if (type != 'v' || !value.SequenceEqual("0"))
                {
                    error = "SDP does not start with v=0";
                    return false;
                }
                sawVersion = true;
                continue;
            }
            error = media is null ? ApplySessionLine(sdp, type, value) : ApplyMediaLine(sdp, media, type, value);
            if (type == 'm' && error is null) media = sdp.Media[^1];
            if (error is not null)
            {
                error = $"line {lineNumber}: {error}";
                return false;
            }
        }
        if (!sawVersion)
        {
            error = "SDP is empty";
            return false;
        }
        error = null;
        result = sdp;
        return true;
    }

    private static string? ApplySessionLine(SdpSessionDescription sdp, char type, ReadOnlySpan<char> value)
    {
        switch (type)
        {
            case 'o':
                if (!TryParseOrigin(value, out var origin)) return "o= needs six fields with a numeric session version";
                sdp.Origin = origin!;
                return null;
            case 's': sdp.SessionName = value.ToString(); return null;
            case 'i': sdp.Information = value.ToString(); return null;
            case 'u': sdp.Uri = value.ToString(); return null;
            case 'e': sdp.Emails.Add(value.ToString()); return null;
            case 'p': sdp.Phones.Add(value.ToString()); return null;
            case 'c':
                if (!TryParseConnection(value, out var connection)) return "c= needs <nettype> <addrtype> <address>";
                sdp.Connection = connection;
                return null;
            case 'b': sdp.Bandwidths.Add(value.ToString()); return null;
            case 't': sdp.Timings.Add(new SdpTiming(value.ToString(), new List<string>())); return null;
            case 'r':
                if (sdp.Timings.Count == 0) return "r= without t=";
                ((List<string>)sdp.Timings[^1].Repeats).Add(value.ToString());
                return null;
            case 'z': sdp.TimeZones = value.ToString(); return null;
            case 'k': sdp.Key = value.ToString(); return null;
            case 'a': sdp.Attributes.Add(ParseAttribute(value)); return null;
            case 'm': return AddMedia(sdp, value);
            default: return $"unknown or misplaced type '{type}'"; // RFC 4566 5: unknown letters are not allowed
        }
    }

    private static string? ApplyMediaLine(SdpSessionDescription sdp, SdpMediaDescription media, char type, ReadOnlySpan<char> value)
    {
        switch (type)
        {
            case 'm': return AddMedia(sdp, value);
            case 'i': media.Information = value.ToString(); return null;
            case 'c':
                if (!TryParseConnection(value, out var connection)) return "c= needs <nettype> <addrtype> <address>";
                media.Connections.Add(connection!);
                return null;
            case 'b': media.Bandwidths.Add(value.ToString()); return null;
            case 'k': media.Key = value.ToString(); return null;
            case 'a': media.Attributes.Add(ParseAttribute(value)); return null;
            default: return $"type '{type}' is not allowed in a media description";
        }
    }

    private static string? AddMedia(SdpSessionDescription sdp, ReadOnlySpan<char> value)
    {
        // m=<media> <port>[/<number of ports>] <proto> <fmt> ...
        Span<Range> parts = stackalloc Range[64];
        var n = value.Split(parts, ' ', StringSplitOptions.RemoveEmptyEntries);
        if (n < 3) return "m= needs <media> <port> <proto> <fmt>...";
        if (n == parts.Length) return "m= lists too many formats";
        var portText = value[parts[1]];
        int? portCount = null;
        var slash = portText.IndexOf('/');
        if (slash >= 0)
        {
            if (!int.TryParse(portText[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count <= 0)
                return "m= port count is not a number";
            portCount = count;
            portText = portText[..slash];
        }
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            return "m= port is not a number from 0 to 65535";
        var formats = new List<string>(n - 3);
        for (var i = 3; i < n; i++) formats.Add(value[parts[i]].ToString());
        sdp.Media.Add(new SdpMediaDescription(value[parts[0]].ToString(), port, value[parts[2]].ToString(), formats)
        {
            PortCount = portCount,
        });
        return null;
    }

    private static bool TryParseOrigin(ReadOnlySpan<char> value, out SdpOrigin? origin)
    {
        origin = null;
        Span<Range> parts = stackalloc Range[7];
        if (value.Split(parts, ' ', StringSplitOptions.RemoveEmptyEntries) != 6) return false;
        if (!ulong.TryParse(value[parts[2]], NumberStyles.None, CultureInfo.InvariantCulture, out var version)) return false;
        origin = new SdpOrigin(value[parts[0]].ToString(), value[parts[1]].ToString(), version,
            value[parts[3]].ToString(), value[parts[4]].ToString(), value[parts[5]].ToString());
        return true;
    }

    private static bool TryParseConnection(ReadOnlySpan<char> value, out SdpConnection? connection)
    {
        connection = null;
        Span<Range> parts = stackalloc Range[4];
        if (value.Split(parts, ' ', StringSplitOptions.RemoveEmptyEntries) != 3) return false;
        connection = new SdpConnection(value[parts[0]].ToString(), value[parts[1]].ToString(), value[parts[2]].ToString());
        return true;
    }

    private static SdpAttribute ParseAttribute(ReadOnlySpan<char> value)
    {
        var colon = value.IndexOf(':');
        return colon < 0 ? new SdpAttribute(value.ToString()) : new SdpAttribute(value[..colon].ToString(), value[(colon + 1)..].ToString());
    }
}
