using System.Net;
using System.Net.Sockets;

namespace ConferenceCluster.Media.Transport;

/// <summary>
/// How a <see cref="Workers.MediaParticipant"/> receives and sends its RTP and RTCP: plain UDP port pairs
/// (<see cref="RtpTransport"/>, SIP calls and backplanes) or one DTLS-SRTP port (<c>WebRtc.Transport.WebRtcTransport</c>,
/// browsers). The participant's worker is the only caller of the receive/send members; what a transport hands up
/// is plain RTP/RTCP, whatever it was on the wire.
/// </summary>
public interface IMediaTransport : IDisposable
{
    /// <summary>The local port the SDP answer names (the one port of a muxed transport).</summary>
    int LocalRtpPort { get; }

    int LocalRtcpPort { get; }

    /// <summary>Where RTP goes, null until known.</summary>
    IPEndPoint? RemoteRtpEndPoint { get; }

    /// <summary>Whether there is somewhere to send to (an address from the SDP or learnt; for WebRTC: ICE and DTLS done).</summary>
    bool HasRemote { get; }

    /// <summary>The socket the worker watches for RTP (for a muxed transport, everything); never read or written through this.</summary>
    Socket RtpSocket { get; }

    /// <summary>The RTCP socket to watch, or null when RTCP shares <see cref="RtpSocket"/> (rtcp-mux): the worker then drains RTCP after RTP.</summary>
    Socket? RtcpSocket { get; }

    /// <summary>Receives one RTP packet if one is waiting: bytes, 0 for a datagram dropped, −1 when nothing waits.</summary>
    int TryReceiveRtp(Span<byte> buffer, SocketAddress source);

    /// <summary>Receives one RTCP compound packet if one is waiting (same convention).</summary>
    int TryReceiveRtcp(Span<byte> buffer, SocketAddress source);

    /// <summary>The packet just received from <paramref name="source"/> was valid RTP of this session (symmetric RTP latching).</summary>
    void ConfirmRtpSource(SocketAddress source);

    void ConfirmRtcpSource(SocketAddress source);

    bool SendRtp(ReadOnlySpan<byte> packet);

    bool SendRtcp(ReadOnlySpan<byte> packet);

    /// <summary>Points the transport at a new remote (re-INVITE); transports that learn their remote otherwise may ignore it.</summary>
    void SetRemote(IPEndPoint remoteRtp, IPEndPoint? remoteRtcp = null);
}
