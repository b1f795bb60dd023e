namespace ConferenceCluster.Sip.UserAgent;

/// <summary>Where a call is in its life (RFC 3261 13.3, 15).</summary>
public enum SipCallState
{
    /// <summary>The INVITE arrived; the handler is deciding (a provisional response may have gone out).</summary>
    Offered,

    /// <summary>Our 2xx is out and being retransmitted until the ACK (13.3.1.4).</summary>
    Answered,

    /// <summary>The ACK arrived: the session is up.</summary>
    Established,

    Ended,
}

/// <summary>
/// Why a call ended. The application maps these to its own vocabulary (Pexip's disconnect reasons:
/// <see cref="RemoteHangUp"/> is "Remote disconnect", <see cref="AckTimeout"/> "Timeout expired waiting
/// for ACK", <see cref="ReInviteFailed"/> "Re-INVITE timer has expired").
/// </summary>
public enum SipCallEndReason
{
    /// <summary>The peer sent BYE.</summary>
    RemoteHangUp,

    /// <summary>The application hung up (we sent BYE, or refused a call still being offered).</summary>
    LocalHangUp,

    /// <summary>The caller sent CANCEL before we answered (RFC 3261 9.2); it got 487.</summary>
    Cancelled,

    /// <summary>The handler rejected the INVITE.</summary>
    Rejected,

    /// <summary>No ACK for our 2xx within 64*T1 (RFC 3261 13.3.1.4); we sent BYE.</summary>
    AckTimeout,

    /// <summary>Our re-INVITE timed out or the peer no longer knew the dialog (RFC 3261 12.2.1.2: 408/481); we sent BYE.</summary>
    ReInviteFailed,

    /// <summary>The handler threw; the caller got 500.</summary>
    HandlerFailed,

    /// <summary>The handler did not decide within <see cref="SipEndpointOptions.InviteDecisionTimeout"/>; the caller got 480.</summary>
    HandlerTimeout,

    /// <summary>The endpoint stopped.</summary>
    EndpointStopped,
}

/// <summary>One DTMF digit (0-9, *, #, A-D) and, when the sender said, how long it was pressed.</summary>
public readonly record struct DtmfDigit(char Digit, TimeSpan? Duration);

/// <summary>What the handler decided about an INVITE.</summary>
public sealed class IncomingCallDecision
{
    private IncomingCallDecision(int statusCode, string? reasonPhrase, ReadOnlyMemory<byte> sdp, TimeSpan? retryAfter)
    {
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        Sdp = sdp;
        RetryAfter = retryAfter;
    }

    /// <summary>200 for an accepted call, else the rejection status.</summary>
    public int StatusCode { get; }

    public string? ReasonPhrase { get; }

    /// <summary>The SDP answer (or offer, if the INVITE had none) for the 200.</summary>
    public ReadOnlyMemory<byte> Sdp { get; }

    public TimeSpan? RetryAfter { get; }

    public bool IsAccepted => StatusCode == 200;

    /// <summary>Answer with 200 OK carrying <paramref name="sdp"/> (application/sdp).</summary>
    public static IncomingCallDecision Accept(ReadOnlyMemory<byte> sdp) => new(200, null, sdp, null);

    public static IncomingCallDecision Accept(string sdp) => Accept(System.Text.Encoding.UTF8.GetBytes(sdp));

    /// <summary>
    /// Refuse with a final status 300-699, e.g. 404 (unknown alias), 486 (busy), 488 (no common codec),
    /// 503 with <paramref name="retryAfter"/> (overload, RFC 3261 21.5.4).
    /// </summary>
    public static IncomingCallDecision Reject(int statusCode, string? reasonPhrase = null, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 300);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 699);
        return new(statusCode, reasonPhrase, default, retryAfter);
    }
}

/// <summary>What the handler decided about a re-INVITE.</summary>
public sealed class ReInviteDecision
{
    private ReInviteDecision(int statusCode, ReadOnlyMemory<byte> sdp)
    {
        StatusCode = statusCode;
        Sdp = sdp;
    }

    public int StatusCode { get; }

    public ReadOnlyMemory<byte> Sdp { get; }

    public bool IsAccepted => StatusCode == 200;

    public static ReInviteDecision Accept(ReadOnlyMemory<byte> sdp) => new(200, sdp);

    public static ReInviteDecision Accept(string sdp) => Accept(System.Text.Encoding.UTF8.GetBytes(sdp));

    /// <summary>Refuse (488 for an offer we cannot take, 491 if we have our own offer outstanding); the old session stays.</summary>
    public static ReInviteDecision Reject(int statusCode)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 300);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 699);
        return new(statusCode, default);
    }
}

/// <summary>The outcome of a re-INVITE we sent (RFC 3261 14.1).</summary>
public sealed record ReInviteResult(int StatusCode, ReadOnlyMemory<byte> AnswerSdp)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;
}
