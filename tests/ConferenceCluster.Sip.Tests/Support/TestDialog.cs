using System.Globalization;
using System.Text;
using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Messages;

namespace ConferenceCluster.Sip.Tests.Support;

/// <summary>The UAC side of one call, written by hand so tests control every header (RFC 3261 8.1.1).</summary>
public sealed class TestDialog
{
    public const string Offer =
        "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
        "m=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n";

    private readonly SipTestPeer _peer;
    private uint _cseq;

    public TestDialog(SipTestPeer peer)
    {
        _peer = peer;
        CallId = Guid.NewGuid().ToString("N") + "@test";
        FromTag = "f" + Random.Shared.Next().ToString("x", CultureInfo.InvariantCulture);
    }

    public string CallId { get; }

    public string FromTag { get; }

    /// <summary>The tag the stack put in its To (learned from its first response that had one).</summary>
    public string? ToTag { get; set; }

    public string InviteBranch { get; private set; } = "";

    public uint InviteSequence { get; private set; }

    public string RequestUri => $"sip:meet.alice@127.0.0.1:{_peer.TargetPort}";

    public string Build(string method, string branch, uint cseq, string? body = null, string? contentType = null, bool withToTag = true,
        string? cseqMethod = null, params string[] extraHeaders)
    {
        var sb = new StringBuilder();
        sb.Append(method).Append(' ').Append(RequestUri).Append(" SIP/2.0\r\n");
        sb.Append($"Via: SIP/2.0/{_peer.Transport} 127.0.0.1:{_peer.LocalEndPoint.Port};branch={branch};rport\r\n");
        sb.Append("Max-Forwards: 70\r\n");
        sb.Append($"From: \"Alice\" <sip:alice@127.0.0.1>;tag={FromTag}\r\n");
        sb.Append($"To: <sip:meet.alice@127.0.0.1>{(withToTag && ToTag is not null ? ";tag=" + ToTag : "")}\r\n");
        sb.Append($"Call-ID: {CallId}\r\n");
        sb.Append($"CSeq: {cseq} {cseqMethod ?? method}\r\n");
        var transportParam = _peer.IsStream ? ";transport=tcp" : "";
        sb.Append($"Contact: <sip:alice@127.0.0.1:{_peer.LocalEndPoint.Port}{transportParam}>\r\n");
        foreach (var h in extraHeaders) sb.Append(h).Append("\r\n");
        var bytes = body is null ? 0 : Encoding.UTF8.GetByteCount(body);
        if (contentType is not null) sb.Append("Content-Type: ").Append(contentType).Append("\r\n");
        sb.Append("Content-Length: ").Append(bytes).Append("\r\n\r\n");
        if (body is not null) sb.Append(body);
        return sb.ToString();
    }

    public static string NewBranch() => "z9hG4bK" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>Sends a new INVITE (or re-INVITE once <see cref="ToTag"/> is known) and returns its text for retransmission.</summary>
    public string SendInvite(string? body = Offer)
    {
        InviteBranch = NewBranch();
        InviteSequence = ++_cseq;
        var text = Build(SipMethods.Invite, InviteBranch, InviteSequence, body, body is null ? null : "application/sdp");
        _peer.Send(text);
        return text;
    }

    /// <summary>Reads until the final response to our INVITE, learning the To tag.</summary>
    public SipResponse ExpectInviteFinal(int statusCode)
    {
        var response = _peer.ExpectResponse(statusCode, SipMethods.Invite);
        ToTag ??= response.To?.Tag;
        return response;
    }

    /// <summary>ACK for a 2xx: a new transaction (RFC 3261 13.2.2.4).</summary>
    public void SendAck2xx(string? body = null) =>
        _peer.Send(Build(SipMethods.Ack, NewBranch(), InviteSequence, body, body is null ? null : "application/sdp"));

    /// <summary>ACK for a non-2xx: same branch as the INVITE (RFC 3261 17.1.1.3).</summary>
    public void SendAckNon2xx() => _peer.Send(Build(SipMethods.Ack, InviteBranch, InviteSequence));

    /// <summary>CANCEL: same branch, CSeq number and (tag-less) To as the INVITE (RFC 3261 9.1).</summary>
    public void SendCancel() => _peer.Send(Build(SipMethods.Cancel, InviteBranch, InviteSequence, withToTag: false));

    public string SendRequest(string method, string? body = null, string? contentType = null, params string[] extraHeaders)
    {
        var text = Build(method, NewBranch(), ++_cseq, body, contentType, extraHeaders: extraHeaders);
        _peer.Send(text);
        return text;
    }

    /// <summary>A response to a request the stack sent us (RFC 3261 8.2.6).</summary>
    public void Respond(SipRequest request, int statusCode, string? sdp = null)
    {
        var response = SipResponseFactory.CreateResponse(request, statusCode);
        if (sdp is not null)
        {
            response.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
            response.Body = Encoding.UTF8.GetBytes(sdp);
        }
        response.Headers.Add(SipHeaderNames.Contact, $"<sip:alice@127.0.0.1:{_peer.LocalEndPoint.Port}>");
        _peer.Send(response);
    }
}
