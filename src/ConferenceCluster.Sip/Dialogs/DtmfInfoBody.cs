using System.Text;

namespace ConferenceCluster.Sip.Dialogs;

/// <summary>
/// DTMF carried in SIP INFO (RFC 2976 requests, RFC 6086 legacy usage): <c>application/dtmf-relay</c>
/// ("Signal=5\r\nDuration=160", the Cisco/SIPp form) and <c>application/dtmf</c> (the digit alone).
/// </summary>
public static class DtmfInfoBody
{
    public const string DtmfRelayContentType = "application/dtmf-relay";
    public const string DtmfContentType = "application/dtmf";

    /// <summary>True if the content type is one of the two DTMF bodies (media type only, parameters ignored).</summary>
    public static bool IsDtmfContentType(string? contentType)
    {
        var media = MediaType(contentType);
        return media.Equals(DtmfRelayContentType, StringComparison.OrdinalIgnoreCase) ||
               media.Equals(DtmfContentType, StringComparison.OrdinalIgnoreCase);
    }

    public static bool TryParse(string? contentType, ReadOnlySpan<byte> body, out char digit, out TimeSpan? duration)
    {
        digit = default;
        duration = null;
        if (body.Length > 1024) return false;
        var text = Encoding.UTF8.GetString(body).AsSpan();
        var media = MediaType(contentType);
        if (media.Equals(DtmfContentType, StringComparison.OrdinalIgnoreCase)) return TryDigit(text.Trim(), out digit);
        if (!media.Equals(DtmfRelayContentType, StringComparison.OrdinalIgnoreCase)) return false;

        var found = false;
        foreach (var range in text.SplitAny('\r', '\n'))
        {
            var line = text[range].Trim();
            var eq = line.IndexOf('=');
            if (eq <= 0) continue;
            var name = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (name.Equals("Signal", StringComparison.OrdinalIgnoreCase)) found = TryDigit(value, out digit);
            else if (name.Equals("Duration", StringComparison.OrdinalIgnoreCase) && int.TryParse(value, out var ms) && ms is >= 0 and < 60_000)
                duration = TimeSpan.FromMilliseconds(ms);
        }
        return found;
    }

    // RFC 4733 3.2 event codes 10 and 11 are * and #; some phones send them as numbers.
    private static bool TryDigit(ReadOnlySpan<char> value, out char digit)
    {
        digit = default;
        if (value.SequenceEqual("10")) digit = '*';
        else if (value.SequenceEqual("11")) digit = '#';
        else if (value.Length == 1 && (char.IsAsciiDigit(value[0]) || value[0] is '*' or '#' || char.ToUpperInvariant(value[0]) is >= 'A' and <= 'D'))
            digit = char.ToUpperInvariant(value[0]);
        return digit != default;
    }

    private static ReadOnlySpan<char> MediaType(string? contentType)
    {
        if (contentType is null) return default;
        var span = contentType.AsSpan();
        var semi = span.IndexOf(';');
        return (semi >= 0 ? span[..semi] : span).Trim();
    }
}
