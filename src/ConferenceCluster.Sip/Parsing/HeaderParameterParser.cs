using ConferenceCluster.Sip.Headers;

namespace ConferenceCluster.Sip.Parsing;

/// <summary>
/// Parses <c>*( SEMI generic-param )</c> where SEMI = SWS ";" SWS, EQUAL = SWS "=" SWS and
/// gen-value = token / host / quoted-string (RFC 3261 25.1). Quoted values keep their quotes so
/// they are written back exactly.
/// </summary>
internal static class HeaderParameterParser
{
    public static bool TryParse(ReadOnlySpan<char> s, ref int pos, SipParameters target, out string? error)
    {
        error = null;
        while (true)
        {
            SipSyntax.SkipWhitespace(s, ref pos);
            if (pos >= s.Length) return true;
            if (s[pos] != ';')
            {
                error = $"unexpected character '{s[pos]}' where ';' or end of value was expected";
                return false;
            }
            pos++;
            SipSyntax.SkipWhitespace(s, ref pos);
            var name = SipSyntax.ReadToken(s, ref pos);
            if (name.IsEmpty)
            {
                // RFC 4475 3.1.2.1: "Via: ...;;,;,," and "Contact: ...;;;;" are invalid.
                error = "empty parameter";
                return false;
            }
            SipSyntax.SkipWhitespace(s, ref pos);
            string? value = null;
            if (pos < s.Length && s[pos] == '=')
            {
                pos++;
                SipSyntax.SkipWhitespace(s, ref pos);
                if (!TryReadValue(s, ref pos, out value))
                {
                    error = $"parameter '{name}' has an invalid value";
                    return false;
                }
            }
            target.Add(SipSyntax.Intern(name), value);
        }
    }

    private static bool TryReadValue(ReadOnlySpan<char> s, ref int pos, out string? value)
    {
        value = null;
        if (pos < s.Length && s[pos] == '"')
        {
            var start = pos;
            if (!SipSyntax.TryReadQuotedString(s, ref pos, out _)) return false;
            value = s[start..pos].ToString();
            return true;
        }
        var begin = pos;
        // token, or host including an IPv6 reference "[...]"
        while (pos < s.Length && (SipSyntax.IsTokenChar(s[pos]) || s[pos] is '[' or ']' or ':')) pos++;
        if (pos == begin) return false;
        value = s[begin..pos].ToString();
        return true;
    }

    /// <summary>Strips the quotes and escapes from a quoted parameter value; token values are returned as-is.</summary>
    public static string Unquote(string value)
    {
        if (value.Length < 2 || value[0] != '"') return value;
        var pos = 0;
        return SipSyntax.TryReadQuotedString(value, ref pos, out var inner) ? inner : value;
    }
}
