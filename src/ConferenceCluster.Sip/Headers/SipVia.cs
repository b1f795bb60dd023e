using System.Text;
using ConferenceCluster.Sip.Parsing;
using ConferenceCluster.Sip.Uris;

namespace ConferenceCluster.Sip.Headers;

/// <summary>
/// One Via value (RFC 3261 20.42): <c>SIP/2.0/UDP host:port;branch=...;received=...;rport</c>,
/// with rport from RFC 3581.
/// </summary>
public sealed class SipVia
{
    /// <summary>The RFC 3261 branch prefix (8.1.1.7) that marks a globally unique branch.</summary>
    public const string MagicCookie = "z9hG4bK";

    public SipVia(string transport, string host, int? port = null, string? branch = null)
    {
        Transport = transport;
        Host = host;
        Port = port;
        if (branch is not null) Parameters.Add("branch", branch);
    }

    public string ProtocolName { get; init; } = "SIP";

    public string ProtocolVersion { get; init; } = "2.0";

    /// <summary>Transport in upper case as sent: UDP, TCP, TLS, SCTP, WS or an unknown token (RFC 4475 3.1.1.10).</summary>
    public string Transport { get; }

    public string Host { get; }

    public int? Port { get; }

    public SipParameters Parameters { get; } = new();

    public string? Branch => Parameters.Get("branch");

    public string? Received => Parameters.Get("received");

    public string? Maddr => Parameters.Get("maddr");

    /// <summary>True if an rport parameter is present, with or without a value (RFC 3581 4).</summary>
    public bool HasRport => Parameters.Contains("rport");

    /// <summary>The rport value filled in by a server (RFC 3581 4), or null.</summary>
    public int? Rport => int.TryParse(Parameters.Get("rport"), out var p) ? p : null;

    /// <summary>
    /// True if the branch starts with the magic cookie and has something after it (RFC 3261 8.1.1.7,
    /// 17.2.3). A bare "z9hG4bK" (RFC 4475 3.2.1) does not count: match such requests the RFC 2543 way.
    /// </summary>
    public bool HasRfc3261Branch =>
        Branch is { } b && b.Length > MagicCookie.Length && b.StartsWith(MagicCookie, StringComparison.Ordinal);

    /// <summary>
    /// Where a response to this hop goes over UDP (RFC 3261 18.2.2 with RFC 3581 4): the received
    /// address if stamped, else sent-by; the rport value if stamped, else the sent-by port, else the
    /// transport's default port. maddr is not honoured (it is deprecated in practice).
    /// </summary>
    public (string Host, int Port) GetResponseDestination()
    {
        var host = Received ?? Host;
        var port = Rport ?? Port ?? DefaultPort(Transport);
        return (host, port);
    }

    /// <summary>
    /// The server side of RFC 3261 18.2.1 and RFC 3581 4: add received when sent-by differs from the
    /// packet's source address (always when rport was asked for), and fill in rport if it was asked for.
    /// </summary>
    public void StampReceived(string sourceAddress, int sourcePort)
    {
        if (HasRport)
        {
            Parameters.Set("received", sourceAddress);
            Parameters.Set("rport", sourcePort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        else if (!string.Equals(Host.Trim('[', ']'), sourceAddress, StringComparison.OrdinalIgnoreCase))
        {
            Parameters.Set("received", sourceAddress);
        }
    }

    /// <summary>5061 for TLS (RFC 3261 26.2), 5060 otherwise (RFC 3261 18.1.1).</summary>
    public static int DefaultPort(string transport) =>
        string.Equals(transport, "TLS", StringComparison.OrdinalIgnoreCase) ? 5061 : 5060;

    public static bool TryParse(string value, out SipVia? via, out string? error) =>
        TryParse(value.AsSpan(), out via, out error);

    public static bool TryParse(ReadOnlySpan<char> s, out SipVia? via, out string? error)
    {
        via = null;
        var pos = 0;
        // sent-protocol = protocol-name SLASH protocol-version SLASH transport; SLASH = SWS "/" SWS
        SipSyntax.SkipWhitespace(s, ref pos);
        var name = SipSyntax.ReadToken(s, ref pos);
        if (name.IsEmpty || !TrySkipSlash(s, ref pos))
        {
            error = "Via sent-protocol is malformed";
            return false;
        }
        var version = SipSyntax.ReadToken(s, ref pos);
        if (version.IsEmpty || !TrySkipSlash(s, ref pos))
        {
            error = "Via sent-protocol is malformed";
            return false;
        }
        var transport = SipSyntax.ReadToken(s, ref pos);
        var wsStart = pos;
        SipSyntax.SkipWhitespace(s, ref pos);
        if (transport.IsEmpty || pos == wsStart)
        {
            error = "Via transport is missing or not followed by whitespace";
            return false;
        }

        // sent-by = host [ COLON port ]; COLON = SWS ":" SWS
        if (!TryReadSentBy(s, ref pos, out var host, out var port))
        {
            error = "Via sent-by is malformed";
            return false;
        }

        var result = new SipVia(UpperTransport(transport), host, port)
        {
            ProtocolName = SipSyntax.Intern(name),
            ProtocolVersion = SipSyntax.Intern(version),
        };
        if (!HeaderParameterParser.TryParse(s, ref pos, result.Parameters, out error))
        {
            error = "Via: " + error;
            return false;
        }
        if (result.Parameters.TryGet("branch", out var branch) && string.IsNullOrEmpty(branch))
        {
            error = "Via branch has no value"; // via-branch = "branch" EQUAL token (RFC 3261 25.1)
            return false;
        }
        if (!IsValidRport(result.Parameters.Get("rport")))
        {
            error = "Via rport is not a port number";
            return false;
        }
        via = result;
        return true;
    }

    // Transport tokens are case-insensitive (RFC 3261 7.3.1); keep them upper case.
    private static string UpperTransport(ReadOnlySpan<char> transport)
    {
        Span<char> upper = stackalloc char[Math.Min(transport.Length, 32)];
        if (transport.Length > upper.Length) return transport.ToString().ToUpperInvariant();
        transport.ToUpperInvariant(upper);
        return SipSyntax.Intern(upper);
    }

    private static bool TrySkipSlash(ReadOnlySpan<char> s, ref int pos)
    {
        SipSyntax.SkipWhitespace(s, ref pos);
        if (pos >= s.Length || s[pos] != '/') return false;
        pos++;
        SipSyntax.SkipWhitespace(s, ref pos);
        return true;
    }

    private static bool TryReadSentBy(ReadOnlySpan<char> s, ref int pos, out string host, out int? port)
    {
        host = string.Empty;
        port = null;
        var start = pos;
        if (pos < s.Length && s[pos] == '[')
        {
            var close = s[pos..].IndexOf(']');
            if (close < 0) return false;
            pos += close + 1;
        }
        else
        {
            while (pos < s.Length && (char.IsAsciiLetterOrDigit(s[pos]) || s[pos] is '-' or '.' or '_')) pos++;
        }
        if (!SipUriParser.TryParseHostPort(s[start..pos], out host, out _, out _)) return false;

        var save = pos;
        SipSyntax.SkipWhitespace(s, ref pos);
        if (pos < s.Length && s[pos] == ':')
        {
            pos++;
            SipSyntax.SkipWhitespace(s, ref pos);
            var digitsStart = pos;
            while (pos < s.Length && SipSyntax.IsDigit(s[pos])) pos++;
            if (!SipSyntax.TryParseUInt(s[digitsStart..pos], 65535, out var p)) return false;
            port = (int)p;
            return true;
        }
        pos = save;
        return true;
    }

    private static bool IsValidRport(string? value) => value is null || SipSyntax.TryParseUInt(value, 65535, out _);

    public override string ToString()
    {
        var sb = new StringBuilder(64);
        sb.Append(ProtocolName).Append('/').Append(ProtocolVersion).Append('/').Append(Transport).Append(' ').Append(Host);
        if (Port is { } port) sb.Append(':').Append(port);
        Parameters.AppendTo(sb);
        return sb.ToString();
    }
}
