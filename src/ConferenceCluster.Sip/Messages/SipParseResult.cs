using ConferenceCluster.Sip.Headers;

namespace ConferenceCluster.Sip.Messages;

/// <summary>What the receiver should do with the bytes it parsed.</summary>
public enum SipParseStatus
{
    /// <summary>A well-formed message is in <see cref="SipParseResult.Message"/>.</summary>
    Success,

    /// <summary>
    /// A request that is malformed but can still be answered: send <see cref="SipParseResult.ResponseStatusCode"/>
    /// (400, or 505 for a foreign SIP version) built with <see cref="SipResponseFactory.CreateErrorResponse"/>.
    /// If the top Via itself is what is malformed, send the response back to the packet's source address
    /// or connection (RFC 3261 18.2.2 cannot be followed).
    /// </summary>
    RespondWithError,

    /// <summary>
    /// Discard silently: a malformed response (RFC 3261 18.1.2 has no way to answer one), a request
    /// without any Via (no client transaction could match an answer, RFC 3261 17.1.3), or a message
    /// beyond the configured limits.
    /// </summary>
    Drop,

    /// <summary>Stream transports only: the message is not complete yet; read more and parse again from the same start.</summary>
    NeedMoreData,
}

/// <summary>The precise reason a message was refused.</summary>
public enum SipParseError
{
    None,
    /// <summary>Nothing but CRLFs (keep-alives, RFC 3261 7.5 / RFC 5626 3.5.1).</summary>
    Empty,
    MessageTooLarge,
    LineTooLong,
    TooManyHeaders,
    /// <summary>Request-Line or Status-Line does not follow RFC 3261 7.1 / 7.2.</summary>
    MalformedStartLine,
    /// <summary>Not SIP/2.0 (RFC 3261 8.2.2 / 505; RFC 4475 3.1.2.16).</summary>
    UnsupportedVersion,
    /// <summary>Status code outside 100-699 or not three digits (RFC 4475 3.1.2.19).</summary>
    InvalidStatusCode,
    /// <summary>Request-URI is not a URI, or a SIP Request-URI carries headers (RFC 3261 19.1.1; RFC 4475 3.1.2.7, 3.1.2.11).</summary>
    InvalidRequestUri,
    /// <summary>A header line with no colon or a bad name, or a continuation line with nothing to continue.</summary>
    MalformedHeaderLine,
    /// <summary>A header the stack relies on has a value that does not follow its grammar.</summary>
    InvalidHeaderValue,
    /// <summary>One of Via, From, To, Call-ID, CSeq is absent (RFC 3261 8.1.1; RFC 4475 3.3.1).</summary>
    MissingHeader,
    /// <summary>A single-valued header appears more than once (RFC 4475 3.3.8, 3.3.9).</summary>
    DuplicateHeader,
    /// <summary>CSeq method differs from the Request-Line method (RFC 3261 8.1.1.5; RFC 4475 3.1.2.17).</summary>
    CSeqMethodMismatch,
    /// <summary>Content-Length is not a non-negative decimal (RFC 4475 3.1.2.3).</summary>
    InvalidContentLength,
    /// <summary>A stream message without Content-Length (RFC 3261 18.3, 20.14).</summary>
    MissingContentLength,
    /// <summary>A datagram carrying fewer body bytes than Content-Length says (RFC 3261 18.3; RFC 4475 3.1.2.2).</summary>
    BodyTruncated,
}

/// <summary>
/// The outcome of <see cref="SipMessageParser.Parse(ReadOnlySpan{byte}, SipTransportKind, SipParserOptions?)"/>:
/// a message, or the reason it was refused and how the RFC says to react.
/// </summary>
public readonly struct SipParseResult
{
    private SipParseResult(SipParseStatus status, SipMessage? message, SipParseError error, string? detail,
        string? headerName, int responseStatusCode, int bytesConsumed, bool framingLost,
        SipHeaderCollection? rejectedHeaders, string? rejectedMethod)
    {
        Status = status;
        Message = message;
        Error = error;
        ErrorDetail = detail;
        HeaderName = headerName;
        ResponseStatusCode = responseStatusCode;
        BytesConsumed = bytesConsumed;
        FramingLost = framingLost;
        RejectedRequestHeaders = rejectedHeaders;
        RejectedRequestMethod = rejectedMethod;
    }

    public SipParseStatus Status { get; }

    public bool IsSuccess => Status == SipParseStatus.Success;

    public SipMessage? Message { get; }

    public SipParseError Error { get; }

    /// <summary>Human-readable explanation, suitable for a log line or a Warning header.</summary>
    public string? ErrorDetail { get; }

    /// <summary>The header at fault, when one is.</summary>
    public string? HeaderName { get; }

    /// <summary>400 or 505 when <see cref="Status"/> is <see cref="SipParseStatus.RespondWithError"/>, else 0.</summary>
    public int ResponseStatusCode { get; }

    /// <summary>
    /// How many input bytes this message (or the skipped keep-alive CRLFs) used. On a stream, the next
    /// message starts there. For a datagram it is the whole datagram.
    /// </summary>
    public int BytesConsumed { get; }

    /// <summary>
    /// Stream transports: the end of this message cannot be known (bad or duplicate Content-Length,
    /// limits exceeded), so after answering, the connection must be closed (RFC 4475 3.1.2.3, 3.3.9).
    /// </summary>
    public bool FramingLost { get; }

    /// <summary>The headers of a request refused with <see cref="SipParseStatus.RespondWithError"/>, to build the response from (RFC 3261 8.2.6).</summary>
    public SipHeaderCollection? RejectedRequestHeaders { get; }

    public string? RejectedRequestMethod { get; }

    public override string ToString() =>
        Status == SipParseStatus.Success ? "Success" : $"{Status} {ResponseStatusCode} {Error}: {ErrorDetail}";

    internal static SipParseResult Ok(SipMessage message, int consumed) =>
        new(SipParseStatus.Success, message, SipParseError.None, null, null, 0, consumed, false, null, null);

    internal static SipParseResult NeedMore(int consumed) =>
        new(SipParseStatus.NeedMoreData, null, SipParseError.None, null, null, 0, consumed, false, null, null);

    internal static SipParseResult Dropped(SipParseError error, string detail, int consumed, bool framingLost, string? headerName = null) =>
        new(SipParseStatus.Drop, null, error, detail, headerName, 0, consumed, framingLost, null, null);

    internal static SipParseResult Respond(int statusCode, SipParseError error, string detail, string? headerName,
        int consumed, bool framingLost, SipHeaderCollection headers, string? method) =>
        new(SipParseStatus.RespondWithError, null, error, detail, headerName, statusCode, consumed, framingLost, headers, method);
}
