using System.Text;
using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Parsing;

namespace ConferenceCluster.Sip.Uris;

/// <summary>
/// Parses URIs per RFC 3261 19.1.1 / 25.1: <c>sip:user:password@host:port;uri-parameters?headers</c>,
/// and keeps other schemes opaque. Returns an error text instead of throwing.
/// </summary>
internal static class SipUriParser
{
    public static bool TryParse(ReadOnlySpan<char> text, out SipUri? uri, out string? error)
    {
        uri = null;
        if (!TrySplitScheme(text, out var scheme, out var rest, out error)) return false;
        if (!HasOnlyUriChars(text))
        {
            error = "URI contains whitespace, control or delimiter characters";
            return false;
        }
        if (scheme is not ("sip" or "sips"))
        {
            if (rest.IsEmpty)
            {
                error = "absolute URI has no content after the scheme";
                return false;
            }
            uri = new SipUri(scheme, string.Empty) { Opaque = rest.ToString() };
            return true;
        }
        return TryParseSip(scheme, rest, out uri, out error);
    }

    private static bool TrySplitScheme(ReadOnlySpan<char> text, out string scheme, out ReadOnlySpan<char> rest, out string? error)
    {
        scheme = string.Empty;
        rest = default;
        error = null;
        var colon = text.IndexOf(':');
        // RFC 3986 / RFC 3261 25.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
        if (colon <= 0 || !char.IsAsciiLetter(text[0]))
        {
            error = "URI has no scheme";
            return false;
        }
        var s = text[..colon];
        foreach (var c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '+' && c != '-' && c != '.')
            {
                error = "URI scheme contains an invalid character";
                return false;
            }
        }
        scheme = s.Equals("sip", StringComparison.OrdinalIgnoreCase) ? "sip"
            : s.Equals("sips", StringComparison.OrdinalIgnoreCase) ? "sips"
            : s.ToString().ToLowerInvariant();
        rest = text[(colon + 1)..];
        return true;
    }

    /// <summary>No SP, CTL, DQUOTE or angle brackets: these end a URI in every context where one appears.</summary>
    private static bool HasOnlyUriChars(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c <= ' ' || c == 0x7F || c == '<' || c == '>' || c == '"') return false;
        }
        return true;
    }

    private static bool TryParseSip(string scheme, ReadOnlySpan<char> rest, out SipUri? uri, out string? error)
    {
        uri = null;
        string? user = null, password = null;

        // The user part may contain ';', '?' and ',' (user-unreserved) but never an unescaped '@',
        // and neither may parameters nor headers, so the first '@' ends the userinfo (RFC 4475 3.1.1.2, 3.1.1.9).
        var at = rest.IndexOf('@');
        if (at >= 0)
        {
            var userInfo = rest[..at];
            var colon = userInfo.IndexOf(':');
            var userPart = colon >= 0 ? userInfo[..colon] : userInfo;
            if (userPart.IsEmpty)
            {
                error = "SIP URI has an empty user part before '@'";
                return false;
            }
            if (!TryUnescape(userPart, SipSyntax.UserChars, out user) ||
                (colon >= 0 && !TryUnescape(userInfo[(colon + 1)..], SipSyntax.PasswordChars, out password)))
            {
                error = "SIP URI user or password has an invalid character or escape";
                return false;
            }
            rest = rest[(at + 1)..];
        }

        var hostEnd = rest.IndexOfAny(';', '?');
        var hostPort = hostEnd >= 0 ? rest[..hostEnd] : rest;
        if (!TryParseHostPort(hostPort, out var host, out var port, out error)) return false;

        uri = new SipUri(scheme, host) { User = user, Password = password, Port = port };
        rest = hostEnd >= 0 ? rest[hostEnd..] : default;

        var question = rest.IndexOf('?');
        var paramPart = question >= 0 ? rest[..question] : rest;
        if (!TryParseUriParameters(paramPart, uri.Parameters, out error)) return false;
        if (question >= 0 && !TryParseUriHeaders(rest[(question + 1)..], uri.Headers, out error)) return false;
        return true;
    }

    /// <summary>hostport = host [ ":" port ] (RFC 3261 25.1); host is a hostname, IPv4address or IPv6reference.</summary>
    internal static bool TryParseHostPort(ReadOnlySpan<char> s, out string host, out int? port, out string? error)
    {
        host = string.Empty;
        port = null;
        error = null;
        int hostLength;
        if (!s.IsEmpty && s[0] == '[')
        {
            var close = s.IndexOf(']');
            if (close < 0 || !IsIpv6Body(s[1..close]))
            {
                error = "invalid IPv6 reference";
                return false;
            }
            hostLength = close + 1;
        }
        else
        {
            hostLength = s.IndexOf(':');
            if (hostLength < 0) hostLength = s.Length;
            if (!IsHostName(s[..hostLength]))
            {
                error = "invalid host";
                return false;
            }
        }
        host = s[..hostLength].ToString();
        var after = s[hostLength..];
        if (after.IsEmpty) return true;
        if (after[0] != ':' || !SipSyntax.TryParseUInt(after[1..], 65535, out var p))
        {
            error = "invalid port";
            return false;
        }
        port = (int)p;
        return true;
    }

    // hostname = *( domainlabel "." ) toplabel [ "." ]; labels are alphanum and '-'. IPv4 fits the same shape.
    // Underscores are tolerated because real deployments use them in host names.
    private static bool IsHostName(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return false;
        foreach (var c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '.' && c != '_') return false;
        }
        return true;
    }

    private static bool IsIpv6Body(ReadOnlySpan<char> s)
    {
        if (s.Length < 2) return false;
        foreach (var c in s)
        {
            if (!char.IsAsciiHexDigit(c) && c != ':' && c != '.') return false;
        }
        return true;
    }

    private static bool TryParseUriParameters(ReadOnlySpan<char> s, SipParameters target, out string? error)
    {
        error = null;
        // s is empty or starts with ';'
        while (!s.IsEmpty)
        {
            s = s[1..];
            var end = s.IndexOf(';');
            var item = end >= 0 ? s[..end] : s;
            s = end >= 0 ? s[end..] : default;
            var eq = item.IndexOf('=');
            var nameRaw = eq >= 0 ? item[..eq] : item;
            string? value = null;
            if (nameRaw.IsEmpty ||
                !TryUnescape(nameRaw, SipSyntax.ParamChars, out var name) ||
                (eq >= 0 && !TryUnescape(item[(eq + 1)..], SipSyntax.ParamChars, out value)))
            {
                error = "invalid URI parameter";
                return false;
            }
            target.Add(name, value);
        }
        return true;
    }

    private static bool TryParseUriHeaders(ReadOnlySpan<char> s, SipParameters target, out string? error)
    {
        error = null;
        while (true)
        {
            var end = s.IndexOf('&');
            var item = end >= 0 ? s[..end] : s;
            var eq = item.IndexOf('=');
            if (eq <= 0 ||
                !TryUnescape(item[..eq], SipSyntax.HeaderNameValueChars, out var name) ||
                !TryUnescape(item[(eq + 1)..], SipSyntax.HeaderNameValueChars, out var value))
            {
                error = "invalid URI header";
                return false;
            }
            target.Add(name, value);
            if (end < 0) return true;
            s = s[(end + 1)..];
        }
    }

    /// <summary>
    /// Decodes %HH escapes (RFC 3261 19.1.2) and checks every other character against the allowed set.
    /// Escaped octets are decoded as UTF-8. Returns false on a malformed escape.
    /// </summary>
    internal static bool TryUnescape(ReadOnlySpan<char> s, bool[] allowed, out string value)
    {
        value = string.Empty;
        var percent = s.IndexOf('%');
        if (percent < 0)
        {
            foreach (var c in s)
            {
                if (!SipSyntax.IsIn(allowed, c)) return false;
            }
            value = s.ToString();
            return true;
        }

        var bytes = s.Length <= 256 ? stackalloc byte[s.Length * 3] : new byte[s.Length * 3];
        var n = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '%')
            {
                if (i + 2 >= s.Length) return false;
                var hi = SipSyntax.HexValue(s[i + 1]);
                var lo = SipSyntax.HexValue(s[i + 2]);
                if (hi < 0 || lo < 0) return false;
                bytes[n++] = (byte)((hi << 4) | lo);
                i += 2;
            }
            else if (SipSyntax.IsIn(allowed, c))
            {
                bytes[n++] = (byte)c;
            }
            else
            {
                return false;
            }
        }
        value = Encoding.UTF8.GetString(bytes[..n]);
        return true;
    }
}
