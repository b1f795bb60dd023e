using ConferenceCluster.Sip.Headers;

namespace ConferenceCluster.Sip.Messages;

/// <summary>Response = Status-Line *( message-header ) CRLF [ message-body ] (RFC 3261 7.2).</summary>
public sealed class SipResponse : SipMessage
{
    public SipResponse(int statusCode, string? reasonPhrase = null, SipHeaderCollection? headers = null)
        : base(headers)
    {
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase ?? SipStatusCodes.GetReasonPhrase(statusCode);
    }

    public int StatusCode { get; }

    /// <summary>UTF-8 text, possibly empty (RFC 4475 3.1.1.12, 3.1.1.13).</summary>
    public string ReasonPhrase { get; }

    public bool IsProvisional => StatusCode < 200;

    public bool IsSuccess => StatusCode is >= 200 and < 300;

    public override bool IsRequest => false;
}
