using System.Text;
using ConferenceCluster.Sip.Parsing;
using ConferenceCluster.Sip.Uris;

namespace ConferenceCluster.Sip.Headers;

/// <summary>
/// <c>( name-addr / addr-spec ) *( SEMI param )</c>: the shape of From, To, Contact, Route,
/// Record-Route and Reply-To (RFC 3261 20.10, 20.20, 20.39, 20.30, 20.34).
/// </summary>
public sealed class SipNameAddress
{
    public SipNameAddress(SipUri uri, string? displayName = null)
    {
        Uri = uri;
        DisplayName = displayName;
    }

    /// <summary>Display name, unquoted and unescaped; null if none.</summary>
    public string? DisplayName { get; set; }

    public SipUri Uri { get; set; }

    /// <summary>Header parameters (tag, expires, q, ...), not the URI's own parameters.</summary>
    public SipParameters Parameters { get; } = new();

    /// <summary>The dialog tag of From/To (RFC 3261 19.3).</summary>
    public string? Tag
    {
        get => Parameters.Get("tag");
        set
        {
            if (value is null) Parameters.Remove("tag");
            else Parameters.Set("tag", value);
        }
    }

    /// <summary>
    /// The Contact "expires" parameter in seconds (RFC 3261 20.10), or null if absent or not a number
    /// below 2**32; RFC 4475 3.1.2.4 lets a registrar then fall back to its default expiry.
    /// </summary>
    public uint? Expires => SipSyntax.TryParseUInt(Parameters.Get("expires"), uint.MaxValue, out var v) ? (uint)v : null;

    /// <summary>The Contact "q" preference from 0 to 1 (RFC 3261 20.10), or null if absent or invalid.</summary>
    public double? Q =>
        double.TryParse(Parameters.Get("q"), System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var q) && q is >= 0 and <= 1
            ? q
            : null;

    public static bool TryParse(string value, out SipNameAddress? result, out string? error) =>
        TryParse(value.AsSpan(), out result, out error);

    public static bool TryParse(ReadOnlySpan<char> s, out SipNameAddress? result, out string? error)
    {
        result = null;
        var pos = 0;
        SipSyntax.SkipWhitespace(s, ref pos);
        if (pos >= s.Length)
        {
            error = "empty address";
            return false;
        }

        string? display = null;
        SipUri? uri;
        if (s[pos] == '"')
        {
            if (!SipSyntax.TryReadQuotedString(s, ref pos, out var quoted))
            {
                error = "unterminated quoted display name"; // RFC 4475 3.1.2.6
                return false;
            }
            display = quoted;
            SipSyntax.SkipWhitespace(s, ref pos);
            if (pos >= s.Length || s[pos] != '<')
            {
                error = "display name is not followed by '<'";
                return false;
            }
            if (!TryReadBracketedUri(s, ref pos, out uri, out error)) return false;
        }
        else if (TryFindUnquotedDisplayName(s, pos, out var lt))
        {
            // display-name = *(token LWS): a run of tokens directly followed by '<' (RFC 4475 3.1.1.6 has no LWS before '<').
            var name = s[pos..lt].Trim(" \t");
            display = name.IsEmpty ? null : name.ToString();
            pos = lt;
            if (!TryReadBracketedUri(s, ref pos, out uri, out error)) return false;
        }
        else if (!TryReadAddrSpec(s, ref pos, out uri, out error))
        {
            return false;
        }

        var address = new SipNameAddress(uri!, display);
        if (!HeaderParameterParser.TryParse(s, ref pos, address.Parameters, out error)) return false;
        if (address.Parameters.TryGet("tag", out var tag) && string.IsNullOrEmpty(tag))
        {
            error = "tag parameter has no value"; // tag-param = "tag" EQUAL token (RFC 3261 25.1)
            return false;
        }
        result = address;
        return true;
    }

    /// <summary>
    /// True if the text from <paramref name="pos"/> is tokens and whitespace up to a '<'. Any other
    /// character (':' of a bare URI, ',' of an unquoted "Bell, Alexander" per RFC 4475 3.1.2.15) means no.
    /// </summary>
    private static bool TryFindUnquotedDisplayName(ReadOnlySpan<char> s, int pos, out int lt)
    {
        for (lt = pos; lt < s.Length; lt++)
        {
            var c = s[lt];
            if (c == '<') return true;
            if (!SipSyntax.IsTokenChar(c) && !SipSyntax.IsWhitespace(c)) return false;
        }
        return false;
    }

    private static bool TryReadBracketedUri(ReadOnlySpan<char> s, ref int pos, out SipUri? uri, out string? error)
    {
        uri = null;
        var close = s[pos..].IndexOf('>');
        if (close < 0)
        {
            error = "missing '>'";
            return false;
        }
        var inner = s.Slice(pos + 1, close - 1);
        if (inner.IndexOfAny(' ', '\t') >= 0)
        {
            error = "whitespace inside <> around the URI"; // RFC 4475 3.1.2.14
            return false;
        }
        if (!SipUri.TryParse(inner, out uri, out error)) return false;
        pos += close + 1;
        return true;
    }

    private static bool TryReadAddrSpec(ReadOnlySpan<char> s, ref int pos, out SipUri? uri, out string? error)
    {
        uri = null;
        var start = pos;
        while (pos < s.Length && s[pos] != ';' && !SipSyntax.IsWhitespace(s[pos])) pos++;
        var text = s[start..pos];
        // RFC 3261 20.10: a URI containing a comma, question mark or semicolon must be enclosed in <>.
        if (text.IndexOfAny(',', '?') >= 0)
        {
            error = "URI with ',' or '?' is not enclosed in <>"; // RFC 4475 3.1.2.13
            return false;
        }
        return SipUri.TryParse(text, out uri, out error);
    }

    public override string ToString()
    {
        var sb = new StringBuilder(80);
        if (!string.IsNullOrEmpty(DisplayName))
        {
            SipSyntax.AppendQuoted(sb, DisplayName);
            sb.Append(' ');
        }
        sb.Append('<');
        Uri.AppendTo(sb);
        sb.Append('>');
        Parameters.AppendTo(sb);
        return sb.ToString();
    }
}
