using ConferenceCluster.Sip.Messages;
using ConferenceCluster.Sip.Parsing;

namespace ConferenceCluster.Sip.Headers;

/// <summary>CSeq = 1*DIGIT LWS Method (RFC 3261 20.16); the number is below 2**31 (8.1.1.5).</summary>
public readonly record struct SipCSeq(uint Number, string Method)
{
    public const uint MaxNumber = int.MaxValue; // 2**31 - 1

    public static bool TryParse(ReadOnlySpan<char> s, out SipCSeq cseq, out string? error)
    {
        cseq = default;
        var pos = 0;
        SipSyntax.SkipWhitespace(s, ref pos);
        var start = pos;
        while (pos < s.Length && SipSyntax.IsDigit(s[pos])) pos++;
        if (!SipSyntax.TryParseUInt(s[start..pos], MaxNumber, out var number))
        {
            error = pos == start ? "CSeq has no sequence number" : "CSeq number is 2**31 or more"; // RFC 4475 3.1.2.4
            return false;
        }
        var wsStart = pos;
        SipSyntax.SkipWhitespace(s, ref pos);
        var method = SipSyntax.ReadToken(s, ref pos);
        SipSyntax.SkipWhitespace(s, ref pos);
        if (pos == wsStart || method.IsEmpty || pos != s.Length)
        {
            error = "CSeq method is missing or malformed";
            return false;
        }
        error = null;
        cseq = new SipCSeq((uint)number, SipMethods.Intern(method));
        return true;
    }

    public override string ToString() => $"{Number} {Method}";
}
