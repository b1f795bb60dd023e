using System.Globalization;
using ConferenceCluster.Sip.Headers;

namespace ConferenceCluster.Sip.Messages;

/// <summary>Builds responses from requests as RFC 3261 8.2.6 prescribes.</summary>
public static class SipResponseFactory
{
    /// <summary>
    /// Copies Via (all, in order), From, To, Call-ID and CSeq from the request (8.2.6.2); adds a To-tag
    /// to anything but a 100 when the request's To has none (a new tag is made if <paramref name="toTag"/>
    /// is null); a 100 Trying also copies Timestamp (8.2.6.1). <paramref name="retryAfter"/> adds
    /// Retry-After in whole seconds (20.33), as 503 and 486/480/600/603 may carry.
    /// </summary>
    public static SipResponse CreateResponse(SipRequest request, int statusCode, string? reasonPhrase = null,
        string? toTag = null, TimeSpan? retryAfter = null) =>
        CreateResponse(request.Headers, statusCode, reasonPhrase, toTag, retryAfter);

    /// <summary>Same as <see cref="CreateResponse(SipRequest, int, string?, string?, TimeSpan?)"/> from bare request headers.</summary>
    public static SipResponse CreateResponse(SipHeaderCollection requestHeaders, int statusCode, string? reasonPhrase = null,
        string? toTag = null, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 699);

        var headers = new SipHeaderCollection();
        requestHeaders.CopyTo(headers, SipHeaderNames.Via);
        // From, To, Call-ID and CSeq are single-valued; a request that repeats them (RFC 4475 3.3.8)
        // gets its first value back.
        CopyFirst(requestHeaders, headers, SipHeaderNames.From);
        var to = requestHeaders.GetFirst(SipHeaderNames.To);
        if (to is not null) headers.Add(SipHeaderNames.To, WithToTag(to, statusCode, toTag));
        CopyFirst(requestHeaders, headers, SipHeaderNames.CallId);
        CopyFirst(requestHeaders, headers, SipHeaderNames.CSeq);
        if (statusCode == 100) CopyFirst(requestHeaders, headers, SipHeaderNames.Timestamp);
        if (retryAfter is { } delay)
        {
            var seconds = (long)Math.Max(0, Math.Ceiling(delay.TotalSeconds));
            headers.Add(SipHeaderNames.RetryAfter, seconds.ToString(CultureInfo.InvariantCulture));
        }
        return new SipResponse(statusCode, reasonPhrase, headers);
    }

    /// <summary>
    /// The 400/505 answer for a request the parser refused, with the parser's explanation as the reason
    /// phrase's detail; null unless the result is <see cref="SipParseStatus.RespondWithError"/>.
    /// </summary>
    public static SipResponse? CreateErrorResponse(in SipParseResult result, string? toTag = null)
    {
        if (result.Status != SipParseStatus.RespondWithError || result.RejectedRequestHeaders is null) return null;
        var code = result.ResponseStatusCode;
        var reason = SipStatusCodes.GetReasonPhrase(code);
        if (!string.IsNullOrEmpty(result.ErrorDetail)) reason += " (" + SanitizeReason(result.ErrorDetail) + ")";
        return CreateResponse(result.RejectedRequestHeaders, code, reason, toTag);
    }

    /// <summary>A fresh To/From tag: 64 random bits in hex (RFC 3261 19.3 asks for at least 32).</summary>
    public static string NewTag() => Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.NextInt64()));

    private static void CopyFirst(SipHeaderCollection from, SipHeaderCollection to, string name)
    {
        var value = from.GetFirst(name);
        if (value is not null) to.Add(name, value);
    }

    // RFC 3261 8.2.6.2: the UAS adds a tag to To unless the request already had one; a 100 needs none.
    private static string WithToTag(string to, int statusCode, string? toTag)
    {
        if (statusCode == 100) return to;
        if (SipNameAddress.TryParse(to, out var address, out _))
        {
            if (address!.Tag is not null) return to;
        }
        else if (to.Contains(";tag=", StringComparison.OrdinalIgnoreCase))
        {
            return to;
        }
        return to + ";tag=" + (toTag ?? NewTag());
    }

    // A reason phrase cannot hold CR or LF; keep it to one printable line.
    private static string SanitizeReason(string detail)
    {
        Span<char> buffer = stackalloc char[Math.Min(detail.Length, 120)];
        for (var i = 0; i < buffer.Length; i++)
        {
            var c = detail[i];
            buffer[i] = c < ' ' || c == 0x7F ? ' ' : c;
        }
        return new string(buffer);
    }
}
