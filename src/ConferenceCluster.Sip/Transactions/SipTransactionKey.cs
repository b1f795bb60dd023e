using System.Globalization;
using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Messages;

namespace ConferenceCluster.Sip.Transactions;

/// <summary>
/// What identifies a transaction. Server side (RFC 3261 17.2.3): the top Via branch, its sent-by and
/// the method, with ACK counted as INVITE. Client side (17.1.3): the branch and the CSeq method.
/// </summary>
internal readonly record struct SipTransactionKey(string Branch, string SentBy, string Method)
{
    public static bool TryForServer(SipRequest request, out SipTransactionKey key) => TryForServer(request, request.Method, out key);

    /// <summary>The key of the transaction a request belongs to, read as if its method were <paramref name="method"/>.</summary>
    public static bool TryForServer(SipRequest request, string method, out SipTransactionKey key)
    {
        key = default;
        var via = request.TopVia;
        if (via is null) return false;
        if (method == SipMethods.Ack) method = SipMethods.Invite;
        var sentBy = via.Host.ToLowerInvariant() + ":" + (via.Port ?? SipVia.DefaultPort(via.Transport)).ToString(CultureInfo.InvariantCulture);
        if (via.HasRfc3261Branch)
        {
            key = new SipTransactionKey(via.Branch!, sentBy, method);
            return true;
        }
        // RFC 2543 peers (no magic cookie): 17.2.3's fallback, reduced to what stays equal between an
        // INVITE, its retransmissions, its ACK and its CANCEL (the To tag does not: the ACK carries ours).
        if (request.CallId is not { } callId || request.CSeq is not { } cseq) return false;
        var branch = "2543|" + callId + "|" + request.From?.Tag + "|" + cseq.Number.ToString(CultureInfo.InvariantCulture) + "|" + request.RequestUri;
        key = new SipTransactionKey(branch, sentBy, method);
        return true;
    }

    public static bool TryForClient(SipResponse response, out SipTransactionKey key)
    {
        key = default;
        if (response.TopVia?.Branch is not { } branch || response.CSeq is not { } cseq) return false;
        key = new SipTransactionKey(branch, string.Empty, cseq.Method);
        return true;
    }

    public static SipTransactionKey ForClient(string branch, string method) => new(branch, string.Empty, method);

    /// <summary>A new branch: the magic cookie plus 64 random bits (RFC 3261 8.1.1.7).</summary>
    public static string NewBranch() =>
        SipVia.MagicCookie + Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.NextInt64()));
}
