using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.WebRtc.Dtls;
using ConferenceCluster.Media.WebRtc.Ice;
using ConferenceCluster.Media.WebRtc.Srtp;
using ConferenceCluster.Media.WebRtc.Stun;

namespace ConferenceCluster.Media.Tests.WebRtc.Support;

/// <summary>
/// A browser's WebRTC media side without a browser, for tests and benchmarks that need many legs: one UDP socket on
/// 127.0.0.1, an offer like Chromium's (its own ICE credentials and certificate fingerprint), a USE-CANDIDATE check, a
/// BouncyCastle DTLS 1.2 client, then SRTP both ways with our own <see cref="SrtpContext"/>.
/// </summary>
internal sealed class SimulatedBrowser : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly byte[] _receive = new byte[2048];
    private readonly byte[] _send = new byte[2048];
    private SrtpContext? _outbound;
    private SrtpContext? _inbound;

    public SimulatedBrowser(DtlsCertificate? certificate = null)
    {
        Certificate = certificate ?? DtlsCertificate.Generate();
        Credentials = IceCredentials.Generate();
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public DtlsCertificate Certificate { get; }

    public IceCredentials Credentials { get; }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public Socket Socket => _socket;

    /// <summary>Where the answer's candidate pointed.</summary>
    public IPEndPoint? Server { get; private set; }

    public string ServerUfrag { get; private set; } = "";

    public string ServerPassword { get; private set; } = "";

    /// <summary>An offer as Chromium writes one for a single audio track (BUNDLE, rtcp-mux, actpass, audio level).</summary>
    public string Offer(string codecs = "opus") => WebRtcOffers.Build(Credentials, Certificate.Fingerprint, codecs);

    /// <summary>Reads the answer (candidate, ICE credentials), checks with USE-CANDIDATE, runs DTLS; returns when SRTP keys exist.</summary>
    public void Connect(string answer, TimeSpan? timeout = null)
    {
        ReadAnswer(answer);
        _socket.ReceiveTimeout = (int)(timeout ?? TimeSpan.FromSeconds(10)).TotalMilliseconds;
        if (!Check(useCandidate: true))
        {
            throw new InvalidOperationException("The ICE check got no success response.");
        }

        SrtpKeyingMaterial keys = TestDtlsClient.Connect(Certificate, new UdpDatagramTransport(_socket, Server!));
        _outbound = new SrtpContext(keys.Client);
        _inbound = new SrtpContext(keys.Server);
    }

    public void ReadAnswer(string answer)
    {
        foreach (string line in answer.Split("\r\n"))
        {
            if (line.StartsWith("a=candidate:", StringComparison.Ordinal))
            {
                string[] parts = line.Split(' ');
                Server = new IPEndPoint(IPAddress.Parse(parts[4]), int.Parse(parts[5], System.Globalization.CultureInfo.InvariantCulture));
            }
            else if (line.StartsWith("a=ice-ufrag:", StringComparison.Ordinal))
            {
                ServerUfrag = line["a=ice-ufrag:".Length..];
            }
            else if (line.StartsWith("a=ice-pwd:", StringComparison.Ordinal))
            {
                ServerPassword = line["a=ice-pwd:".Length..];
            }
        }
    }

    /// <summary>Sends one connectivity check and waits (bounded) for a success response that verifies with the server's password.</summary>
    public bool Check(bool useCandidate)
    {
        byte[] request = StunRequests.Check(ServerUfrag, Credentials.UsernameFragment, ServerPassword, useCandidate);
        _socket.SendTo(request, Server!);
        DateTime end = DateTime.UtcNow.AddSeconds(5);
        using var integrity = StunIntegrity.ForPassword(ServerPassword);
        while (DateTime.UtcNow < end)
        {
            if (!_socket.Poll(TimeSpan.FromMilliseconds(100), SelectMode.SelectRead))
            {
                continue;
            }

            int length = _socket.Receive(_receive);
            if (StunMessage.TryParse(_receive.AsSpan(0, length), out StunMessage response)
                && response.Type == StunMessageType.BindingSuccessResponse
                && response.TransactionId.SequenceEqual(request.AsSpan(8, 12)))
            {
                return integrity.Verify(response) && StunIntegrity.VerifyFingerprint(response);
            }
        }

        return false;
    }

    /// <summary>Protects and sends an RTP packet (or RTCP) to the server.</summary>
    public void SendRtp(ReadOnlySpan<byte> rtp, bool rtcp = false)
    {
        rtp.CopyTo(_send);
        int length = rtcp ? _outbound!.ProtectRtcp(_send, rtp.Length) : _outbound!.ProtectRtp(_send, rtp.Length);
        _socket.SendTo(_send.AsSpan(0, length), SocketFlags.None, Server!);
        _lastSentLength = length;
    }

    private int _lastSentLength;

    /// <summary>The last protected packet sent, as it went on the wire (to replay it).</summary>
    public byte[]? LastSent => _lastSentLength == 0 ? null : _send[.._lastSentLength];

    /// <summary>Receives and unprotects whatever waits, counting the RTP packets that authenticate (no allocation: for load generators).</summary>
    public int DrainAndCount()
    {
        int count = 0;
        while (_socket.Available > 0)
        {
            int length = _socket.Receive(_receive);
            if (length > 1 && _receive[0] is >= 128 and <= 191 && _receive[1] is < 192 or > 223
                && _inbound!.UnprotectRtp(_receive.AsSpan(0, length), out _) == SrtpResult.Ok)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Sends raw bytes as they are (garbage, replays, forged packets).</summary>
    public void SendRaw(ReadOnlySpan<byte> datagram) => _socket.SendTo(datagram, SocketFlags.None, Server!);

    /// <summary>The next SRTP packet from the server, decrypted; null if none arrives within <paramref name="wait"/>.</summary>
    public byte[]? ReceiveRtp(TimeSpan wait)
    {
        DateTime end = DateTime.UtcNow + wait;
        while (DateTime.UtcNow < end)
        {
            if (!_socket.Poll(TimeSpan.FromMilliseconds(20), SelectMode.SelectRead))
            {
                continue;
            }

            int length = _socket.Receive(_receive);
            if (length > 1 && _receive[0] is >= 128 and <= 191 && _receive[1] is < 192 or > 223
                && _inbound!.UnprotectRtp(_receive.AsSpan(0, length), out int rtpLength) == SrtpResult.Ok)
            {
                return _receive[..rtpLength];
            }
        }

        return null;
    }

    /// <summary>Reads whatever waits on the socket and returns the RTP packets among it, decrypted (non-blocking).</summary>
    public IEnumerable<byte[]> DrainRtp()
    {
        var packets = new List<byte[]>();
        while (_socket.Available > 0)
        {
            int length = _socket.Receive(_receive);
            if (length > 1 && _receive[0] is >= 128 and <= 191 && _receive[1] is < 192 or > 223
                && _inbound!.UnprotectRtp(_receive.AsSpan(0, length), out int rtpLength) == SrtpResult.Ok)
            {
                packets.Add(_receive[..rtpLength]);
            }
        }

        return packets;
    }

    public void Dispose()
    {
        _socket.Dispose();
        _outbound?.Dispose();
        _inbound?.Dispose();
    }
}

/// <summary>Offers written the way browsers write them, for tests.</summary>
internal static class WebRtcOffers
{
    public static string Build(IceCredentials credentials, DtlsFingerprint fingerprint, string codecs = "opus")
    {
        string formats = codecs == "pcmu" ? "0 126" : "111 0 8 110 126";
        string maps = codecs == "pcmu"
            ? "a=rtpmap:0 PCMU/8000\r\na=rtpmap:126 telephone-event/8000\r\n"
            : "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n" +
              "a=rtpmap:110 telephone-event/48000\r\na=rtpmap:126 telephone-event/8000\r\n";
        return "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\na=extmap-allow-mixed\r\n" +
               $"m=audio 9 UDP/TLS/RTP/SAVPF {formats}\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n" +
               $"a=ice-ufrag:{credentials.UsernameFragment}\r\na=ice-pwd:{credentials.Password}\r\na=ice-options:trickle\r\n" +
               $"a=fingerprint:{fingerprint}\r\na=setup:actpass\r\na=mid:0\r\n" +
               "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\na=sendrecv\r\na=msid:- track\r\na=rtcp-mux\r\n" + maps +
               "a=ssrc:1001 cname:test\r\n";
    }
}
