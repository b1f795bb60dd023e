using System.Text;
using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Parsing;

namespace ConferenceCluster.Sip.Uris;

/// <summary>
/// A SIP or SIPS URI (RFC 3261 19.1), or any other absolute URI kept opaque (RFC 3261 allows
/// absoluteURI in Request-URI and name-addr; RFC 4475 3.3.2-3.3.4 test this).
/// User, password, parameter and header parts are stored unescaped and re-escaped on output.
/// </summary>
public sealed class SipUri
{
    public SipUri(string scheme, string host)
    {
        Scheme = scheme;
        Host = host;
    }

    /// <summary>Lower-case scheme: "sip", "sips", or another scheme for opaque URIs.</summary>
    public string Scheme { get; }

    public bool IsSip => Scheme is "sip" or "sips";

    /// <summary>For non-SIP schemes, everything after "scheme:", verbatim; null for SIP URIs.</summary>
    public string? Opaque { get; init; }

    /// <summary>Unescaped user part (RFC 3261 19.1.1); may contain any character, even NUL (RFC 4475 3.1.1.4).</summary>
    public string? User { get; set; }

    public string? Password { get; set; }

    /// <summary>Host name, IPv4 address or bracketed IPv6 reference, as written.</summary>
    public string Host { get; set; }

    public int? Port { get; set; }

    /// <summary>uri-parameters (transport, user, method, ttl, maddr, lr, other-param), unescaped.</summary>
    public SipParameters Parameters { get; } = new();

    /// <summary>URI headers after "?" (hname=hvalue), unescaped. Not allowed in a Request-URI (RFC 3261 19.1.1).</summary>
    public SipParameters Headers { get; } = new();

    public string? Transport => Parameters.Get("transport");

    public bool IsLooseRouter => Parameters.Contains("lr");

    public static SipUri Create(string host, string? user = null, int? port = null, bool secure = false) =>
        new(secure ? "sips" : "sip", host) { User = user, Port = port };

    public static SipUri? ParseOrNull(string text) => SipUriParser.TryParse(text, out var uri, out _) ? uri : null;

    public static bool TryParse(ReadOnlySpan<char> text, out SipUri? uri, out string? error) =>
        SipUriParser.TryParse(text, out uri, out error);

    /// <summary>
    /// URI equivalence of RFC 3261 19.1.4: user and password case-sensitive, host case-insensitive,
    /// a port only equals the same explicit port, user/ttl/method/maddr/transport must match if either
    /// side has them, other parameters only where both have them, and headers must all match.
    /// Escaped and unescaped forms compare equal because parts are stored unescaped.
    /// </summary>
    public bool EquivalentTo(SipUri? other)
    {
        if (other is null || Scheme != other.Scheme) return false;
        if (!IsSip) return string.Equals(Opaque, other.Opaque, StringComparison.OrdinalIgnoreCase);
        if (!string.Equals(User, other.User, StringComparison.Ordinal) ||
            !string.Equals(Password, other.Password, StringComparison.Ordinal) ||
            !string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase) ||
            Port != other.Port)
        {
            return false;
        }
        return ParametersMatch(Parameters, other.Parameters) && ParametersMatch(other.Parameters, Parameters) &&
               HeadersMatch(Headers, other.Headers) && HeadersMatch(other.Headers, Headers);
    }

    private static readonly string[] ParametersThatMustMatch = ["user", "ttl", "method", "maddr", "transport"];

    private static bool ParametersMatch(SipParameters mine, SipParameters theirs)
    {
        for (var i = 0; i < mine.Count; i++)
        {
            var p = mine[i];
            if (theirs.TryGet(p.Name, out var value))
            {
                if (!string.Equals(p.Value, value, StringComparison.OrdinalIgnoreCase)) return false;
            }
            else if (Array.Exists(ParametersThatMustMatch, n => string.Equals(n, p.Name, StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }
        }
        return true;
    }

    private static bool HeadersMatch(SipParameters mine, SipParameters theirs)
    {
        for (var i = 0; i < mine.Count; i++)
        {
            if (!theirs.TryGet(mine[i].Name, out var value) || !string.Equals(mine[i].Value, value, StringComparison.Ordinal)) return false;
        }
        return true;
    }

    public override string ToString()
    {
        var sb = new StringBuilder(64);
        AppendTo(sb);
        return sb.ToString();
    }

    internal void AppendTo(StringBuilder sb)
    {
        sb.Append(Scheme).Append(':');
        if (!IsSip)
        {
            sb.Append(Opaque);
            return;
        }
        if (User is not null)
        {
            AppendEscaped(sb, User, SipSyntax.UserChars);
            if (Password is not null)
            {
                sb.Append(':');
                AppendEscaped(sb, Password, SipSyntax.PasswordChars);
            }
            sb.Append('@');
        }
        sb.Append(Host);
        if (Port is { } port) sb.Append(':').Append(port);
        for (var i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            sb.Append(';');
            AppendEscaped(sb, p.Name, SipSyntax.ParamChars);
            if (p.Value is not null)
            {
                sb.Append('=');
                AppendEscaped(sb, p.Value, SipSyntax.ParamChars);
            }
        }
        var separator = '?';
        for (var i = 0; i < Headers.Count; i++)
        {
            var h = Headers[i];
            sb.Append(separator);
            separator = '&';
            AppendEscaped(sb, h.Name, SipSyntax.HeaderNameValueChars);
            sb.Append('=');
            AppendEscaped(sb, h.Value ?? string.Empty, SipSyntax.HeaderNameValueChars);
        }
    }

    private const string Hex = "0123456789ABCDEF";

    /// <summary>Percent-encodes every UTF-8 byte outside <paramref name="allowed"/> (RFC 3261 19.1.2).</summary>
    private static void AppendEscaped(StringBuilder sb, string value, bool[] allowed)
    {
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            if (rune.IsAscii && SipSyntax.IsIn(allowed, (char)rune.Value))
            {
                sb.Append((char)rune.Value);
                continue;
            }
            var n = rune.EncodeToUtf8(utf8);
            for (var i = 0; i < n; i++)
            {
                sb.Append('%').Append(Hex[utf8[i] >> 4]).Append(Hex[utf8[i] & 0xF]);
            }
        }
    }
}
