using System.Net;
using System.Net.Sockets;

namespace ConferenceCluster.Media.Transport;

/// <summary>
/// The UDP sockets of one RTP session: RTP on an even local port, RTCP on the next odd one, bound on the media
/// address. Sockets are non-blocking and drained by the owning worker; receiving and sending use
/// <see cref="SocketAddress"/> buffers reused for the socket's lifetime, so no packet allocates.
/// </summary>
/// <remarks>
/// Symmetric RTP (RFC 4961; "comedia"): when enabled the remote address is learnt from the first packet that the
/// owner confirms as valid (<see cref="ConfirmRtpSource"/>, <see cref="ConfirmRtcpSource"/>), which is where a client
/// behind NAT can actually be reached, overriding what its SDP said. Only confirmed packets latch: a stray datagram
/// (or an RTCP report sent to the RTP port) must not hijack the stream. A source that cannot be replied to (UDP port 0,
/// as SIPp's raw-socket pcap replay sends) is never latched onto; its packets are still received.
/// </remarks>
public sealed class RtpTransport : IMediaTransport
{
    private readonly RtpPortAllocator _allocator;
    private readonly Socket _rtpSocket;
    private readonly Socket _rtcpSocket;
    private readonly SocketAddress _remoteRtp;
    private readonly SocketAddress _remoteRtcp;
    private volatile bool _hasRemoteRtp;
    private volatile bool _hasRemoteRtcp;
    private bool _rtpLatched;
    private bool _rtcpLatched;
    private int _disposed;

    private RtpTransport(RtpPortAllocator allocator, Socket rtpSocket, Socket rtcpSocket, int rtpPort, bool symmetric)
    {
        _allocator = allocator;
        _rtpSocket = rtpSocket;
        _rtcpSocket = rtcpSocket;
        LocalRtpPort = rtpPort;
        SymmetricRtp = symmetric;
        LocalAddress = ((IPEndPoint)rtpSocket.LocalEndPoint!).Address;
        _remoteRtp = new SocketAddress(rtpSocket.AddressFamily);
        _remoteRtcp = new SocketAddress(rtpSocket.AddressFamily);
    }

    public IPAddress LocalAddress { get; }

    public int LocalRtpPort { get; }

    public int LocalRtcpPort => LocalRtpPort + 1;

    public IPEndPoint LocalRtpEndPoint => new(LocalAddress, LocalRtpPort);

    public bool SymmetricRtp { get; }

    /// <summary>Where RTP is sent: from the SDP, or learnt from the first packet with symmetric RTP. Null until known.</summary>
    public IPEndPoint? RemoteRtpEndPoint => _hasRemoteRtp ? (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(_remoteRtp) : null;

    public IPEndPoint? RemoteRtcpEndPoint => _hasRemoteRtcp ? (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(_remoteRtcp) : null;

    public bool HasRemote => _hasRemoteRtp;

    public long SendErrors { get; private set; }

    public long ReceiveErrors { get; private set; }

    /// <summary>
    /// Allocates a port pair and binds both sockets, moving on to the next pair if something outside this process
    /// holds a port.
    /// </summary>
    /// <exception cref="MediaPortsExhaustedException">No pair could be bound (the range is exhausted).</exception>
    public static RtpTransport Bind(IPAddress address, RtpPortAllocator allocator, bool symmetricRtp = true, int socketBufferBytes = 0)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(allocator);
        for (int attempt = 0; attempt < allocator.Capacity; attempt++)
        {
            if (!allocator.TryAllocate(out int rtpPort))
            {
                break;
            }

            Socket? rtp = null, rtcp = null;
            try
            {
                rtp = CreateSocket(address, rtpPort, socketBufferBytes);
                rtcp = CreateSocket(address, rtpPort + 1, socketBufferBytes);
                return new RtpTransport(allocator, rtp, rtcp, rtpPort, symmetricRtp);
            }
            catch (SocketException exception) when (exception.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
            {
                rtp?.Dispose();
                rtcp?.Dispose();
                allocator.Release(rtpPort);
            }
        }

        throw new MediaPortsExhaustedException($"No free RTP/RTCP port pair in {allocator.Range} ({allocator.Allocated} of {allocator.Capacity} pairs allocated).");
    }

    /// <summary>Sets the remote RTP address from the SDP; RTCP goes to <paramref name="remoteRtcp"/> or the next port (RFC 3605 absent).</summary>
    public void SetRemote(IPEndPoint remoteRtp, IPEndPoint? remoteRtcp = null)
    {
        ArgumentNullException.ThrowIfNull(remoteRtp);
        remoteRtcp ??= new IPEndPoint(remoteRtp.Address, remoteRtp.Port + 1);
        if (remoteRtp.AddressFamily != _rtpSocket.AddressFamily || remoteRtcp.AddressFamily != _rtpSocket.AddressFamily)
        {
            throw new ArgumentException($"The remote address {remoteRtp} is not {_rtpSocket.AddressFamily} like the media address {LocalAddress}.", nameof(remoteRtp));
        }

        CopyAddress(Serialize(remoteRtp), _remoteRtp);
        CopyAddress(Serialize(remoteRtcp), _remoteRtcp);
        _hasRemoteRtp = true;
        _hasRemoteRtcp = true;
        _rtpLatched = false;
        _rtcpLatched = false;
    }

    /// <summary>Receives one RTP datagram if one is waiting.</summary>
    /// <param name="source">Scratch address the sender is written into (reused by the caller for every socket).</param>
    /// <returns>Bytes received, or -1 if nothing is waiting.</returns>
    public int TryReceiveRtp(Span<byte> buffer, SocketAddress source) => TryReceive(_rtpSocket, buffer, source);

    /// <summary>The RTP socket, for the worker's readiness set (never read or written through this).</summary>
    public Socket RtpSocket => _rtpSocket;

    public Socket? RtcpSocket => _rtcpSocket;

    /// <summary>Receives one RTCP datagram if one is waiting.</summary>
    public int TryReceiveRtcp(Span<byte> buffer, SocketAddress source) => TryReceive(_rtcpSocket, buffer, source);

    /// <summary>
    /// The datagram just received from <paramref name="source"/> on the RTP socket was valid RTP of this session:
    /// with symmetric RTP, the first such source becomes the remote (and, until RTCP arrives, its port + 1 the RTCP remote).
    /// </summary>
    public void ConfirmRtpSource(SocketAddress source)
    {
        if (!SymmetricRtp || _rtpLatched || !CanReplyTo(source))
        {
            return;
        }

        CopyAddress(source, _remoteRtp);
        _rtpLatched = true;
        _hasRemoteRtp = true;
        if (!_rtcpLatched)
        {
            // Until RTCP arrives itself, assume it comes from the next port (RFC 3550 §11).
            CopyAddress(source, _remoteRtcp);
            SetPort(_remoteRtcp, ReadPort(source) + 1);
            _hasRemoteRtcp = true;
        }
    }

    /// <summary>The datagram just received on the RTCP socket was a valid compound RTCP packet: latch its source.</summary>
    public void ConfirmRtcpSource(SocketAddress source)
    {
        if (!SymmetricRtp || _rtcpLatched || !CanReplyTo(source))
        {
            return;
        }

        CopyAddress(source, _remoteRtcp);
        _rtcpLatched = true;
        _hasRemoteRtcp = true;
    }

    /// <summary>Sends one RTP packet to the remote; dropped if the remote is not known yet.</summary>
    public bool SendRtp(ReadOnlySpan<byte> packet) => _hasRemoteRtp && Send(_rtpSocket, packet, _remoteRtp);

    public bool SendRtcp(ReadOnlySpan<byte> packet) => _hasRemoteRtcp && Send(_rtcpSocket, packet, _remoteRtcp);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _rtpSocket.Dispose();
        _rtcpSocket.Dispose();
        _allocator.Release(LocalRtpPort);
    }

    private int TryReceive(Socket socket, Span<byte> buffer, SocketAddress source)
    {
        try
        {
            // Poll first: a non-blocking ReceiveFrom on an empty socket reports EAGAIN by throwing. Not Available
            // (FIONREAD): for UDP it is the size of the next datagram, so a zero-length one would never be read and
            // would stop the socket for good.
            if (!socket.Poll(0, SelectMode.SelectRead))
            {
                return -1;
            }

            return socket.ReceiveFrom(buffer, SocketFlags.None, source);
        }
        catch (SocketException)
        {
            ReceiveErrors++; // e.g. a datagram larger than the buffer (MessageSize): dropped
            return 0;
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
    }

    private bool Send(Socket socket, ReadOnlySpan<byte> packet, SocketAddress remote)
    {
        try
        {
            socket.SendTo(packet, SocketFlags.None, remote);
            return true;
        }
        catch (SocketException)
        {
            SendErrors++; // e.g. ICMP unreachable reported back, or a full send buffer: UDP simply loses it
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private static Socket CreateSocket(IPAddress address, int port, int bufferBytes)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (bufferBytes > 0)
            {
                socket.ReceiveBufferSize = bufferBytes;
                socket.SendBufferSize = bufferBytes;
            }

            socket.Bind(new IPEndPoint(address, port));
            socket.Blocking = false;
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static SocketAddress Serialize(IPEndPoint endPoint) => endPoint.Serialize();

    /// <summary>RFC 768: source port 0 means the sender expects no reply.</summary>
    internal static bool CanReplyTo(SocketAddress source) => ReadPort(source) != 0;

    private static void CopyAddress(SocketAddress from, SocketAddress to)
    {
        from.Buffer.Span[..from.Size].CopyTo(to.Buffer.Span);
        to.Size = from.Size;
    }

    // sockaddr_in/sockaddr_in6 keep the port big-endian at bytes 2–3 on every platform .NET supports.
    private static int ReadPort(SocketAddress address) => address[2] << 8 | address[3];

    private static void SetPort(SocketAddress address, int port)
    {
        address[2] = (byte)(port >> 8);
        address[3] = (byte)port;
    }
}
