using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ConferenceCluster.Gateway.Tests.Support;

/// <summary>
/// A deliberately small SIP UAC over UDP on 127.0.0.1 for the cases SIPp is awkward at (malformed requests,
/// garbage): it writes the request text itself, collects the responses, ACKs a final response and can BYE.
/// </summary>
internal sealed class RawSipClient : IDisposable
{
    private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly IPEndPoint _server;

    public RawSipClient(int serverPort)
    {
        _server = new IPEndPoint(IPAddress.Loopback, serverPort);
        LocalPort = ((IPEndPoint)_socket.Client.LocalEndPoint!).Port;
    }

    public int LocalPort { get; }

    public static string AudioOffer(int rtpPort, string payloadTypes, params string[] rtpmaps) =>
        "v=0\r\no=tester 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
        $"m=audio {rtpPort} RTP/AVP {payloadTypes}\r\n" + string.Concat(rtpmaps.Select(r => $"a=rtpmap:{r}\r\n")) + "a=sendrecv\r\n";

    /// <summary>
    /// An m=video line for an audio offer: VP8 (payload type 96) with NACK, PLI and FIR, RTCP on its own port (a=rtcp), and
    /// the largest picture the phone wants (max-fs and imageattr), as SIP video phones offer it.
    /// </summary>
    public static string VideoOffer(int rtpPort, int rtcpPort, int maxWidth = 512, int maxHeight = 288) =>
        $"m=video {rtpPort} RTP/AVPF 96\r\na=rtpmap:96 VP8/90000\r\na=fmtp:96 max-fs={maxWidth / 16 * (maxHeight / 16)};max-fr=30\r\n" +
        $"a=imageattr:96 recv [x={maxWidth},y={maxHeight}]\r\na=rtcp:{rtcpPort}\r\n" +
        "a=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\na=rtcp-fb:96 ccm fir\r\na=sendrecv\r\n";

    public sealed record Dialog(string CallId, string FromTag, string RequestUri, string To);

    /// <summary>The INVITE text; <paramref name="omit"/> drops a header by name to make it malformed.</summary>
    public string Invite(string alias, string callId, string? sdp, string? omit = null, string fromTag = "raw1")
    {
        var headers = new List<(string Name, string Value)>
        {
            ("Via", $"SIP/2.0/UDP 127.0.0.1:{LocalPort};branch=z9hG4bK{Guid.NewGuid():N};rport"),
            ("Max-Forwards", "70"),
            ("From", $"\"Raw tester\" <sip:tester@127.0.0.1:{LocalPort}>;tag={fromTag}"),
            ("To", $"<sip:{alias}@127.0.0.1:{_server.Port}>"),
            ("Call-ID", callId),
            ("CSeq", "1 INVITE"),
            ("Contact", $"<sip:tester@127.0.0.1:{LocalPort}>"),
        };
        if (sdp is not null) headers.Add(("Content-Type", "application/sdp"));
        headers.Add(("Content-Length", Encoding.UTF8.GetByteCount(sdp ?? "").ToString()));
        var text = new StringBuilder($"INVITE sip:{alias}@127.0.0.1:{_server.Port} SIP/2.0\r\n");
        foreach (var (name, value) in headers.Where(h => !string.Equals(h.Name, omit, StringComparison.OrdinalIgnoreCase)))
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        return text.Append("\r\n").Append(sdp).ToString();
    }

    public Task SendAsync(string message) => SendAsync(Encoding.UTF8.GetBytes(message));

    public async Task SendAsync(byte[] datagram) => await _socket.SendAsync(datagram, _server);

    /// <summary>Sends a request and returns the first final (>= 200) response for its Call-ID, null if none came in time.</summary>
    public async Task<string?> RequestAsync(string request, TimeSpan timeout)
    {
        var callId = SipText.Header(request, "Call-ID");
        await SendAsync(request);
        return await ReceiveFinalAsync(callId, SipText.CSeqMethod(request), timeout);
    }

    public async Task<string?> ReceiveFinalAsync(string? callId, string method, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            string message;
            try
            {
                var datagram = await _socket.ReceiveAsync(cancel.Token);
                message = Encoding.UTF8.GetString(datagram.Buffer);
            }
            catch (OperationCanceledException) { return null; }
            catch (SocketException) { continue; }
            if (SipText.StatusCode(message) >= 200 && (callId is null || SipText.Header(message, "Call-ID") == callId) && SipText.CSeqMethod(message) == method)
                return message;
        }
    }

    /// <summary>Anything at all that arrives within <paramref name="timeout"/> (to prove nothing does).</summary>
    public async Task<string?> ReceiveAnyAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            var datagram = await _socket.ReceiveAsync(cancel.Token);
            return Encoding.UTF8.GetString(datagram.Buffer);
        }
        catch (OperationCanceledException) { return null; }
    }

    /// <summary>The next request of <paramref name="method"/> that arrives within <paramref name="timeout"/> (others are skipped), null if none.</summary>
    public async Task<string?> ReceiveRequestAsync(string method, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var message = await ReceiveAnyAsync(deadline - DateTime.UtcNow);
            if (message is null) return null;
            if (message.StartsWith(method + " ", StringComparison.Ordinal)) return message;
        }
        return null;
    }

    /// <summary>Answers a request the server sent (RFC 3261 8.2.6: Vias, From, To, Call-ID and CSeq copied), to where it came from.</summary>
    public async Task RespondAsync(string request, int status, string reason, string? contentType = null, string? body = null)
    {
        var vias = string.Concat(request.Split("\r\n").Where(l => l.StartsWith("Via:", StringComparison.OrdinalIgnoreCase) || l.StartsWith("v:", StringComparison.Ordinal))
            .Select(l => l + "\r\n"));
        var response = $"SIP/2.0 {status} {reason}\r\n{vias}From: {SipText.Header(request, "From")}\r\nTo: {SipText.Header(request, "To")}\r\n" +
                       $"Call-ID: {SipText.Header(request, "Call-ID")}\r\nCSeq: {SipText.Header(request, "CSeq")}\r\nContact: <sip:tester@127.0.0.1:{LocalPort}>\r\n" +
                       (contentType is null ? "" : $"Content-Type: {contentType}\r\n") +
                       $"Content-Length: {Encoding.UTF8.GetByteCount(body ?? "")}\r\n\r\n{body}";
        await SendAsync(response);
    }

    /// <summary>ACKs a final response to an INVITE (RFC 3261 17.1.1.3 for non-2xx, 13.2.2.4 for 2xx).</summary>
    public async Task AckAsync(string invite, string response)
    {
        var status = SipText.StatusCode(response);
        var via = status >= 300 ? SipText.Header(invite, "Via")! : $"SIP/2.0/UDP 127.0.0.1:{LocalPort};branch=z9hG4bK{Guid.NewGuid():N};rport";
        var requestUri = status >= 300 ? invite[7..invite.IndexOf(" SIP/2.0", StringComparison.Ordinal)] : ContactUri(response) ?? invite[7..invite.IndexOf(" SIP/2.0", StringComparison.Ordinal)];
        await SendAsync($"ACK {requestUri} SIP/2.0\r\nVia: {via}\r\nMax-Forwards: 70\r\nFrom: {SipText.Header(invite, "From")}\r\n" +
                        $"To: {SipText.Header(response, "To")}\r\nCall-ID: {SipText.Header(invite, "Call-ID")}\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n");
    }

    /// <summary>Hangs up an answered INVITE; returns the final response to the BYE.</summary>
    public Task<string?> ByeAsync(string invite, string okResponse, TimeSpan timeout, int cseq = 2) =>
        InDialogAsync("BYE", invite, okResponse, cseq, timeout);

    /// <summary>
    /// A request inside the dialog an answered INVITE set up (re-INVITE, INFO, BYE), with an optional body; returns its
    /// final response. A 2xx to a re-INVITE is ACKed.
    /// </summary>
    public async Task<string?> InDialogAsync(string method, string invite, string okResponse, int cseq, TimeSpan timeout,
        string? contentType = null, string? body = null)
    {
        var requestUri = ContactUri(okResponse) ?? $"sip:127.0.0.1:{_server.Port}";
        var request = $"{method} {requestUri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{LocalPort};branch=z9hG4bK{Guid.NewGuid():N};rport\r\nMax-Forwards: 70\r\n" +
                      $"From: {SipText.Header(invite, "From")}\r\nTo: {SipText.Header(okResponse, "To")}\r\nCall-ID: {SipText.Header(invite, "Call-ID")}\r\nCSeq: {cseq} {method}\r\n" +
                      $"Contact: <sip:tester@127.0.0.1:{LocalPort}>\r\n" +
                      (contentType is null ? "" : $"Content-Type: {contentType}\r\n") +
                      $"Content-Length: {Encoding.UTF8.GetByteCount(body ?? "")}\r\n\r\n{body}";
        var response = await RequestAsync(request, timeout);
        if (method == "INVITE" && response is not null && SipText.StatusCode(response) is >= 200 and < 300)
            await SendAsync($"ACK {requestUri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{LocalPort};branch=z9hG4bK{Guid.NewGuid():N};rport\r\nMax-Forwards: 70\r\n" +
                            $"From: {SipText.Header(invite, "From")}\r\nTo: {SipText.Header(response, "To")}\r\nCall-ID: {SipText.Header(invite, "Call-ID")}\r\nCSeq: {cseq} ACK\r\nContent-Length: 0\r\n\r\n");
        return response;
    }

    private static string? ContactUri(string message)
    {
        var contact = SipText.Header(message, "Contact") ?? SipText.Header(message, "m");
        if (contact is null) return null;
        var start = contact.IndexOf('<');
        var end = contact.IndexOf('>');
        return start >= 0 && end > start ? contact[(start + 1)..end] : contact.Split(';')[0];
    }

    public void Dispose() => _socket.Dispose();
}
