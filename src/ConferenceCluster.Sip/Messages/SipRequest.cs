using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Uris;

namespace ConferenceCluster.Sip.Messages;

/// <summary>Request = Request-Line *( message-header ) CRLF [ message-body ] (RFC 3261 7.1).</summary>
public sealed class SipRequest : SipMessage
{
    public SipRequest(string method, SipUri requestUri, SipHeaderCollection? headers = null)
        : base(headers)
    {
        Method = method;
        RequestUri = requestUri;
    }

    /// <summary>Case-sensitive method token; known methods are the shared strings of <see cref="SipMethods"/>.</summary>
    public string Method { get; }

    public SipUri RequestUri { get; set; }

    public override bool IsRequest => true;

    /// <summary>
    /// Stamps the top Via with where the request really came from (RFC 3261 18.2.1, RFC 3581 4), so
    /// responses find their way back through NAT. Returns false if there is no parsable top Via.
    /// </summary>
    public bool StampReceived(string sourceAddress, int sourcePort)
    {
        // Work on a fresh parse: the cached TopVia is shared with earlier readers.
        var text = Headers.GetFirst(SipHeaderNames.Via);
        if (text is null || !SipVia.TryParse(text, out var via, out _)) return false;
        via!.StampReceived(sourceAddress, sourcePort);
        Headers.SetFirst(SipHeaderNames.Via, via.ToString());
        return true;
    }
}
