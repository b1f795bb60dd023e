using System.Text;

namespace ConferenceCluster.Sip.Headers;

/// <summary>
/// Canonical header names, compact forms (RFC 3261 7.3.3 and 20, plus the extensions that define one)
/// and which headers are comma-separated lists (RFC 3261 7.3.1).
/// </summary>
public static class SipHeaderNames
{
    public const string Accept = "Accept";
    public const string AcceptEncoding = "Accept-Encoding";
    public const string AcceptLanguage = "Accept-Language";
    public const string AcceptContact = "Accept-Contact";
    public const string AlertInfo = "Alert-Info";
    public const string Allow = "Allow";
    public const string AllowEvents = "Allow-Events";
    public const string AuthenticationInfo = "Authentication-Info";
    public const string Authorization = "Authorization";
    public const string CallId = "Call-ID";
    public const string CallInfo = "Call-Info";
    public const string Contact = "Contact";
    public const string ContentDisposition = "Content-Disposition";
    public const string ContentEncoding = "Content-Encoding";
    public const string ContentLanguage = "Content-Language";
    public const string ContentLength = "Content-Length";
    public const string ContentType = "Content-Type";
    public const string CSeq = "CSeq";
    public const string Date = "Date";
    public const string ErrorInfo = "Error-Info";
    public const string Event = "Event";
    public const string Expires = "Expires";
    public const string From = "From";
    public const string Identity = "Identity";
    public const string IdentityInfo = "Identity-Info";
    public const string InReplyTo = "In-Reply-To";
    public const string MaxForwards = "Max-Forwards";
    public const string MimeVersion = "MIME-Version";
    public const string MinExpires = "Min-Expires";
    public const string Organization = "Organization";
    public const string Path = "Path";
    public const string Priority = "Priority";
    public const string ProxyAuthenticate = "Proxy-Authenticate";
    public const string ProxyAuthorization = "Proxy-Authorization";
    public const string ProxyRequire = "Proxy-Require";
    public const string RAck = "RAck";
    public const string ReasonHeader = "Reason";
    public const string RecordRoute = "Record-Route";
    public const string ReferTo = "Refer-To";
    public const string ReferredBy = "Referred-By";
    public const string RejectContact = "Reject-Contact";
    public const string Replaces = "Replaces";
    public const string ReplyTo = "Reply-To";
    public const string RequestDisposition = "Request-Disposition";
    public const string Require = "Require";
    public const string RetryAfter = "Retry-After";
    public const string Route = "Route";
    public const string RSeq = "RSeq";
    public const string Server = "Server";
    public const string ServiceRoute = "Service-Route";
    public const string SessionExpires = "Session-Expires";
    public const string Subject = "Subject";
    public const string SubscriptionState = "Subscription-State";
    public const string Supported = "Supported";
    public const string Timestamp = "Timestamp";
    public const string To = "To";
    public const string Unsupported = "Unsupported";
    public const string UserAgent = "User-Agent";
    public const string Via = "Via";
    public const string Warning = "Warning";
    public const string WwwAuthenticate = "WWW-Authenticate";

    private static readonly string[] KnownNames =
    [
        Accept, AcceptEncoding, AcceptLanguage, AcceptContact, AlertInfo, Allow, AllowEvents, AuthenticationInfo,
        Authorization, CallId, CallInfo, Contact, ContentDisposition, ContentEncoding, ContentLanguage,
        ContentLength, ContentType, CSeq, Date, ErrorInfo, Event, Expires, From, Identity, IdentityInfo, InReplyTo,
        MaxForwards, MimeVersion, MinExpires, Organization, Path, Priority, ProxyAuthenticate, ProxyAuthorization,
        ProxyRequire, RAck, ReasonHeader, RecordRoute, ReferTo, ReferredBy, RejectContact, Replaces, ReplyTo,
        RequestDisposition, Require, RetryAfter, Route, RSeq, Server, ServiceRoute, SessionExpires, Subject,
        SubscriptionState, Supported, Timestamp, To, Unsupported, UserAgent, Via, Warning, WwwAuthenticate,
    ];

    // Compact forms: RFC 3261 7.3.3 (i m e l c f s k t v), RFC 3265 (o u), RFC 3515 (r), RFC 3892 (b),
    // RFC 4028 (x), RFC 3841 (a j d), RFC 4474 (y n).
    private static readonly string?[] CompactForms = BuildCompactForms();

    private static string?[] BuildCompactForms()
    {
        var table = new string?[26];
        void Map(char c, string name) => table[c - 'a'] = name;
        Map('a', AcceptContact);
        Map('b', ReferredBy);
        Map('c', ContentType);
        Map('d', RequestDisposition);
        Map('e', ContentEncoding);
        Map('f', From);
        Map('i', CallId);
        Map('j', RejectContact);
        Map('k', Supported);
        Map('l', ContentLength);
        Map('m', Contact);
        Map('n', IdentityInfo);
        Map('o', Event);
        Map('r', ReferTo);
        Map('s', Subject);
        Map('t', To);
        Map('u', AllowEvents);
        Map('v', Via);
        Map('x', SessionExpires);
        Map('y', Identity);
        return table;
    }

    // Known names bucketed by length, so lookup from raw bytes compares against a handful of candidates.
    private static readonly string[][] ByLength = BuildByLength();

    private static string[][] BuildByLength()
    {
        var max = KnownNames.Max(n => n.Length);
        var buckets = new List<string>[max + 1];
        for (var i = 0; i <= max; i++) buckets[i] = new List<string>();
        foreach (var n in KnownNames) buckets[n.Length].Add(n);
        return buckets.Select(b => b.ToArray()).ToArray();
    }

    // Headers whose grammar is a comma-separated list, so several values may share one line
    // (RFC 3261 7.3.1). Anything else (Date, WWW-Authenticate, unknown headers) is kept whole.
    private static readonly HashSet<string> ListHeaders = new(StringComparer.Ordinal)
    {
        Accept, AcceptEncoding, AcceptLanguage, AcceptContact, AlertInfo, Allow, AllowEvents, CallInfo, Contact,
        ContentEncoding, ContentLanguage, ErrorInfo, InReplyTo, Path, ProxyRequire, RecordRoute, RejectContact,
        Require, Route, ServiceRoute, Supported, Unsupported, Via, Warning,
    };

    /// <summary>True if the header's grammar is a comma-separated list (RFC 3261 7.3.1).</summary>
    public static bool IsListHeader(string canonicalName) => ListHeaders.Contains(canonicalName);

    /// <summary>Maps a header name in any case or compact form to its canonical spelling; unknown names are returned unchanged.</summary>
    public static string Canonicalize(string name)
    {
        if (name.Length == 1 && char.IsAsciiLetter(name[0]))
        {
            return CompactForms[char.ToLowerInvariant(name[0]) - 'a'] ?? name;
        }
        if (name.Length < ByLength.Length)
        {
            foreach (var candidate in ByLength[name.Length])
            {
                if (string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase)) return candidate;
            }
        }
        return name;
    }

    /// <summary>
    /// Same as <see cref="Canonicalize(string)"/> but from raw ASCII bytes, allocating only for unknown names.
    /// </summary>
    internal static string Canonicalize(ReadOnlySpan<byte> name)
    {
        if (name.Length == 1 && char.IsAsciiLetter((char)name[0]))
        {
            var compact = CompactForms[char.ToLowerInvariant((char)name[0]) - 'a'];
            if (compact is not null) return compact;
        }
        else if (name.Length < ByLength.Length)
        {
            foreach (var candidate in ByLength[name.Length])
            {
                if (EqualsIgnoreCaseAscii(name, candidate)) return candidate;
            }
        }
        return Encoding.ASCII.GetString(name);
    }

    /// <summary>Header names compare case-insensitively (RFC 3261 7.3.1); compact forms are equal to their long forms.</summary>
    public static bool AreEqual(string a, string b) =>
        ReferenceEquals(a, b) || string.Equals(Canonicalize(a), Canonicalize(b), StringComparison.OrdinalIgnoreCase);

    private static bool EqualsIgnoreCaseAscii(ReadOnlySpan<byte> bytes, string s)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            var c = s[i];
            if (b == c) continue;
            if ((b | 0x20) != (c | 0x20) || !char.IsAsciiLetter(c)) return false;
        }
        return true;
    }
}
