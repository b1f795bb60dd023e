using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Sip.UserAgent;

namespace ConferenceCluster.Gateway.Sip;

/// <summary>The seed's disconnect-reason strings (Administrator Guide, participant history) for SIP outcomes.</summary>
public static class DisconnectReasons
{
    public static string Of(SipCallEndReason reason) => reason switch
    {
        SipCallEndReason.RemoteHangUp => "Remote disconnect",
        SipCallEndReason.LocalHangUp => "Disconnected by the conference",
        SipCallEndReason.Cancelled => "Call cancelled by the caller",
        SipCallEndReason.AckTimeout => "Timeout expired waiting for ACK",
        SipCallEndReason.ReInviteFailed => "Re-INVITE timer has expired",
        SipCallEndReason.EndpointStopped => "Conferencing Node shutting down",
        _ => reason.ToString(),
    };

    /// <summary>The SIP answer to a join the conference refused (503 with Retry-After when there is no capacity, R25).</summary>
    public static (int Status, string Reason, bool RetryAfter) ResponseFor(JoinRejectionReason? rejection) => rejection switch
    {
        JoinRejectionReason.CapacityExceeded => (503, "Capacity Exceeded", true),
        JoinRejectionReason.SignalingNodeInMaintenance => (503, "System In Maintenance Mode", true),
        JoinRejectionReason.SignalingNodeUnknown => (503, "Conferencing Node Not Ready", true),
        JoinRejectionReason.ConferenceNotFound => (404, "Not Found", false),
        JoinRejectionReason.ParticipantLimitReached => (486, "Participant Limit Reached", false),
        _ => (500, "Server Internal Error", false),
    };
}
