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
}
