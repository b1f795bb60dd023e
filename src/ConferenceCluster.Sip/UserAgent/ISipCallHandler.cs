namespace ConferenceCluster.Sip.UserAgent;

/// <summary>
/// The application's side of the UAS: decides about incoming calls and hears what happens to them.
/// <see cref="OnInviteAsync"/> and <see cref="OnReInviteAsync"/> run on the thread pool; the
/// notification methods run on the stack's receive or timer thread and must return quickly.
/// Every call passed to <see cref="OnInviteAsync"/> gets exactly one <see cref="OnCallEnded"/>.
/// </summary>
public interface ISipCallHandler
{
    /// <summary>
    /// A new INVITE (RFC 3261 13.3). Return a decision: accept with an SDP answer, or reject with a
    /// status. <paramref name="cancellationToken"/> fires if the caller CANCELs or the endpoint stops;
    /// the decision is then ignored. <see cref="IncomingCall.SendProvisional"/> may be used meanwhile.
    /// </summary>
    Task<IncomingCallDecision> OnInviteAsync(IncomingCall call, CancellationToken cancellationToken);

    /// <summary>The ACK for our 2xx arrived: the call is up (RFC 3261 13.3.1.4).</summary>
    void OnCallEstablished(SipCall call)
    {
    }

    /// <summary>The call is over, for <paramref name="reason"/>. Called once per call.</summary>
    void OnCallEnded(SipCall call, SipCallEndReason reason)
    {
    }

    /// <summary>A DTMF digit arrived in an INFO request (application/dtmf-relay or application/dtmf).</summary>
    void OnDtmf(SipCall call, DtmfDigit digit)
    {
    }

    /// <summary>
    /// The peer sent a re-INVITE (RFC 3261 14.2) with <paramref name="offer"/> (empty if it asks us to
    /// offer). Accept with an answer (or an offer), or reject; a rejection leaves the session as it was.
    /// By default the offer is refused with 488 Not Acceptable Here.
    /// </summary>
    Task<ReInviteDecision> OnReInviteAsync(SipCall call, ReadOnlyMemory<byte> offer, CancellationToken cancellationToken) =>
        Task.FromResult(ReInviteDecision.Reject(488));
}
