using System.Runtime.CompilerServices;

namespace ConferenceCluster.Sip.Parsing;

/// <summary>
/// Character classes and small scanners from the RFC 3261 section 25 grammar, shared by the
/// header, URI and message parsers. Everything works on spans and never throws on bad input.
/// </summary>
internal static class SipSyntax
{
    // RFC 3261 25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
    private static readonly bool[] TokenChars = BuildTable("-.!%*_+`'~", alphaNum: true);

    // RFC 3261 25.1: unreserved = alphanum / mark; mark = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")"
    internal static readonly bool[] Unreserved = BuildTable("-_.!~*'()", alphaNum: true);

    // RFC 3261 25.1: user = 1*(unreserved / escaped / user-unreserved); user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/"
    internal static readonly bool[] UserChars = BuildTable("-_.!~*'()&=+$,;?/", alphaNum: true);

    // RFC 3261 25.1: password = *(unreserved / escaped / "&" / "=" / "+" / "$" / ",")
    internal static readonly bool[] PasswordChars = BuildTable("-_.!~*'()&=+$,", alphaNum: true);

    // RFC 3261 25.1: paramchar = param-unreserved / unreserved / escaped; param-unreserved = "[" / "]" / "/" / ":" / "&" / "+" / "$"
    internal static readonly bool[] ParamChars = BuildTable("-_.!~*'()[]/:&+$", alphaNum: true);

    // RFC 3261 25.1: hnv-unreserved = "[" / "]" / "/" / "?" / ":" / "+" / "$"
    internal static readonly bool[] HeaderNameValueChars = BuildTable("-_.!~*'()[]/?:+$", alphaNum: true);

    private static bool[] BuildTable(string extra, bool alphaNum)
    {
        var table = new bool[128];
        if (alphaNum)
        {
            for (var c = '0'; c <= '9'; c++) table[c] = true;
            for (var c = 'a'; c <= 'z'; c++) table[c] = true;
            for (var c = 'A'; c <= 'Z'; c++) table[c] = true;
        }
        foreach (var c in extra) table[c] = true;
        return table;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsTokenChar(char c) => c < 128 && TokenChars[c];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsTokenByte(byte b) => b < 128 && TokenChars[b];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsIn(bool[] table, char c) => c < 128 && table[c];

    /// <summary>WSP = SP / HTAB (RFC 5234). After unfolding, LWS is just a run of WSP.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsWhitespace(char c) => c == ' ' || c == '\t';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsDigit(char c) => (uint)(c - '0') <= 9;

    public static bool IsToken(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return false;
        foreach (var c in s)
        {
            if (!IsTokenChar(c)) return false;
        }
        return true;
    }

    // Names seen in nearly every message; returning the shared string saves an allocation per use.
    private static readonly string[] CommonWords =
    [
        "branch", "tag", "rport", "received", "lr", "transport", "expires", "q", "maddr", "user", "ttl",
        "UDP", "TCP", "TLS", "SCTP", "WS", "WSS", "SIP", "2.0",
    ];

    /// <summary>Returns a shared string for common parameter names and transports, else a new one.</summary>
    public static string Intern(ReadOnlySpan<char> s)
    {
        foreach (var word in CommonWords)
        {
            if (s.SequenceEqual(word)) return word;
        }
        return s.ToString();
    }

    public static void SkipWhitespace(ReadOnlySpan<char> s, ref int pos)
    {
        while (pos < s.Length && IsWhitespace(s[pos])) pos++;
    }

    public static ReadOnlySpan<char> ReadToken(ReadOnlySpan<char> s, ref int pos)
    {
        var start = pos;
        while (pos < s.Length && IsTokenChar(s[pos])) pos++;
        return s[start..pos];
    }

    /// <summary>
    /// Reads a quoted-string (RFC 3261 25.1) starting at the opening DQUOTE and returns its unescaped
    /// content. quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F): any of these may follow a backslash.
    /// </summary>
    public static bool TryReadQuotedString(ReadOnlySpan<char> s, ref int pos, out string value)
    {
        value = string.Empty;
        if (pos >= s.Length || s[pos] != '"') return false;
        var start = pos + 1;
        var hasEscape = false;
        var i = start;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '"')
            {
                var raw = s[start..i];
                value = hasEscape ? Unescape(raw) : raw.ToString();
                pos = i + 1;
                return true;
            }
            if (c == '\\')
            {
                if (i + 1 >= s.Length) return false;
                var next = s[i + 1];
                if (next == '\r' || next == '\n') return false;
                hasEscape = true;
                i += 2;
                continue;
            }
            i++;
        }
        return false; // unterminated (RFC 4475 3.1.2.6)

        static string Unescape(ReadOnlySpan<char> raw)
        {
            var sb = new System.Text.StringBuilder(raw.Length);
            for (var j = 0; j < raw.Length; j++)
            {
                if (raw[j] == '\\' && j + 1 < raw.Length) j++;
                sb.Append(raw[j]);
            }
            return sb.ToString();
        }
    }

    /// <summary>Appends <paramref name="value"/> as a quoted-string, escaping DQUOTE and backslash.</summary>
    public static void AppendQuoted(System.Text.StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            if (c == '"' || c == '\\') sb.Append('\\');
            sb.Append(c);
        }
        sb.Append('"');
    }

    /// <summary>
    /// Parses a non-negative decimal with overflow detection. RFC 3261 scalar fields (CSeq, Max-Forwards,
    /// Content-Length, Expires) are 1*DIGIT; leading zeros are legal ("0068" in RFC 4475 3.1.1.1).
    /// </summary>
    public static bool TryParseUInt(ReadOnlySpan<char> s, ulong max, out ulong value)
    {
        value = 0;
        s = s.Trim(" \t");
        if (s.IsEmpty) return false;
        foreach (var c in s)
        {
            if (!IsDigit(c)) return false;
            var d = (ulong)(c - '0');
            if (value > (max - d) / 10) return false;
            value = value * 10 + d;
        }
        return true;
    }

    public static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>
    /// Splits a header value at top-level commas (RFC 3261 7.3.1): commas inside quoted strings,
    /// angle brackets or after a backslash escape do not separate values. Empty elements are skipped.
    /// </summary>
    public static void SplitTopLevelCommas(string value, List<string> parts)
    {
        var s = value.AsSpan();
        var inQuotes = false;
        var inAngle = false;
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (inQuotes)
            {
                if (c == '\\') i++;
                else if (c == '"') inQuotes = false;
            }
            else if (c == '"') inQuotes = true;
            else if (c == '<') inAngle = true;
            else if (c == '>') inAngle = false;
            else if (c == ',' && !inAngle)
            {
                AddTrimmed(value, start, i, parts);
                start = i + 1;
            }
        }
        AddTrimmed(value, start, s.Length, parts);

        static void AddTrimmed(string value, int start, int end, List<string> parts)
        {
            var span = value.AsSpan(start, end - start).Trim(" \t");
            if (span.IsEmpty) return;
            parts.Add(span.Length == value.Length ? value : span.ToString());
        }
    }
}
