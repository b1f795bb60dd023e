using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.WebRtc.Demux;
using ConferenceCluster.Media.WebRtc.Dtls;
using ConferenceCluster.Media.WebRtc.Ice;
using ConferenceCluster.Media.WebRtc.Srtp;

namespace ConferenceCluster.Media.WebRtc.Transport;

/// <summary>
/// A browser leg's one UDP port (BUNDLE + rtcp-mux): STUN, DTLS and SRTP/SRTCP arrive mixed and are told apart by
/// their first byte (RFC 7983). STUN goes to the <see cref="IceLiteAgent"/>, which answers at once and validates the
/// browser's address; DTLS from a validated address goes to the DTLS-SRTP handshake; SRTP from a validated address is
/// authenticated and decrypted in place and handed up as plain RTP (SRTCP as RTCP), so the participant's inbound
/// stream, jitter buffer and the mixer see what they see from any other leg. What the participant sends is protected
/// and goes to the address ICE selected, once DTLS has given keys and while the browser keeps its consent.
/// </summary>
/// <remarks>
/// The worker drains the socket (<see cref="TryReceiveRtp"/>) and sends; the DTLS handshake thread only sends. Nothing
/// per packet allocates: the receive buffer is the worker's, decryption is in place, RTCP waits in a fixed ring and
/// protection has a buffer of its own.
/// </remarks>
public sealed class WebRtcTransport : IMediaTransport
{
    private const int MaxDatagramBytes = 2048;
    private const int RtcpSlots = 8;

    private readonly Socket _socket;
    private readonly RtpPortAllocator _allocator;
    private readonly IceLiteAgent _ice;
    private readonly DtlsSrtpSession _dtls;
    private readonly byte[] _stunResponse = new byte[512];
    private readonly byte[] _sendBuffer = new byte[MaxDatagramBytes + SrtpContext.RtcpOverhead];
    private readonly byte[][] _rtcpRing = new byte[RtcpSlots][];
    private readonly int[] _rtcpLengths = new int[RtcpSlots];
    private int _rtcpHead, _rtcpCount;
    private volatile SrtpContext? _inbound;
    private volatile SrtpContext? _outbound;
    private long _droppedUnvalidated, _droppedBeforeKeys, _droppedUnknown, _rtcpOverflow;
    private int _disposed;

    private WebRtcTransport(Socket socket, RtpPortAllocator allocator, int port, IceLiteAgent ice, DtlsCertificate certificate, DtlsFingerprint remoteFingerprint, TimeSpan handshakeTimeout)
    {
        _socket = socket;
        _allocator = allocator;
        LocalRtpPort = port;
        LocalAddress = ((IPEndPoint)socket.LocalEndPoint!).Address;
        _ice = ice;
        _dtls = new DtlsSrtpSession(certificate, remoteFingerprint, SendDtls, handshakeTimeout);
        for (int i = 0; i < RtcpSlots; i++)
        {
            _rtcpRing[i] = new byte[MaxDatagramBytes];
        }

        Connected = _dtls.Completed.ContinueWith(OnKeys, TaskScheduler.Default).Unwrap();
    }

    public IPAddress LocalAddress { get; }

    public int LocalRtpPort { get; }

    /// <summary>rtcp-mux: RTCP shares the port.</summary>
    public int LocalRtcpPort => LocalRtpPort;

    /// <summary>The one muxed socket, for the worker's readiness set: STUN, DTLS, SRTP and SRTCP all arrive here.</summary>
    public Socket RtpSocket => _socket;

    public Socket? RtcpSocket => null;

    public IceLiteAgent Ice => _ice;

    public DtlsState DtlsState => _dtls.State;

    /// <summary>Completes when the DTLS handshake has given SRTP keys; faults with a <see cref="DtlsHandshakeException"/> naming why it failed.</summary>
    public Task Connected { get; }

    public IPEndPoint? RemoteRtpEndPoint => _ice.SelectedAddress is { } selected ? (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(selected) : null;

    /// <summary>Media can go out: keys exist and the browser's address has consent.</summary>
    public bool HasRemote => _outbound is not null && _ice.HasConsent;

    /// <summary>Binds one port from <paramref name="allocator"/> (a pair is taken, the odd port unused: one allocator serves every leg).</summary>
    /// <exception cref="MediaPortsExhaustedException">No port could be bound.</exception>
    public static WebRtcTransport Bind(IPAddress address, RtpPortAllocator allocator, IceLiteAgent ice, DtlsCertificate certificate, DtlsFingerprint remoteFingerprint, TimeSpan handshakeTimeout, int socketBufferBytes = 0)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(allocator);
        ArgumentNullException.ThrowIfNull(ice);
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(remoteFingerprint);
        Socket socket = MuxedPort.Bind(address, allocator, out int port, blocking: false, socketBufferBytes);
        return new WebRtcTransport(socket, allocator, port, ice, certificate, remoteFingerprint, handshakeTimeout);
    }

    public WebRtcTransportStatistics GetStatistics() => new()
    {
        Ice = _ice.GetStatistics(),
        DtlsState = _dtls.State,
        DtlsFailure = _dtls.FailureReason,
        Inbound = _inbound?.Statistics ?? default,
        Outbound = _outbound?.Statistics ?? default,
        DroppedFromUnvalidatedAddress = Interlocked.Read(ref _droppedUnvalidated),
        DroppedBeforeKeys = Interlocked.Read(ref _droppedBeforeKeys),
        DroppedUnknown = Interlocked.Read(ref _droppedUnknown),
        DroppedDtls = _dtls.DroppedDatagrams,
    };

    /// <summary>
    /// Drains the socket until an RTP packet (decrypted, returned) or nothing is left (−1). STUN is answered, DTLS
    /// handed to the handshake, SRTCP decrypted into the RTCP ring, everything invalid counted and dropped on the way.
    /// </summary>
    public int TryReceiveRtp(Span<byte> buffer, SocketAddress source)
    {
        while (true)
        {
            int received = ReceiveDatagram(buffer, source);
            if (received < 0)
            {
                return -1;
            }

            if (received > 0 && Dispatch(buffer[..received], source) is int rtpLength and >= 0)
            {
                return rtpLength;
            }
        }
    }

    /// <summary>RTCP that <see cref="TryReceiveRtp"/> already received and decrypted (rtcp-mux: there is no second socket).</summary>
    public int TryReceiveRtcp(Span<byte> buffer, SocketAddress source)
    {
        if (_rtcpCount == 0)
        {
            return -1;
        }

        int length = _rtcpLengths[_rtcpHead];
        _rtcpRing[_rtcpHead].AsSpan(0, length).CopyTo(buffer);
        _rtcpHead = (_rtcpHead + 1) % RtcpSlots;
        _rtcpCount--;
        return length;
    }

    /// <summary>ICE chose the address already; a packet's source changes nothing.</summary>
    public void ConfirmRtpSource(SocketAddress source)
    {
    }

    public void ConfirmRtcpSource(SocketAddress source)
    {
    }

    /// <summary>ICE decides where a browser is; an address from elsewhere is ignored.</summary>
    public void SetRemote(IPEndPoint remoteRtp, IPEndPoint? remoteRtcp = null)
    {
    }

    public bool SendRtp(ReadOnlySpan<byte> packet) => Protect(packet, rtcp: false);

    public bool SendRtcp(ReadOnlySpan<byte> packet) => Protect(packet, rtcp: true);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _dtls.Dispose(); // close_notify goes out while the socket is still open
        _socket.Dispose();
        _ice.Dispose();
        _inbound?.Dispose();
        _outbound?.Dispose();
        _allocator.Release(LocalRtpPort);
    }

    /// <returns>The RTP packet's length when the datagram was SRTP that decrypted; −1 otherwise (handled or dropped).</returns>
    private int Dispatch(Span<byte> datagram, SocketAddress source)
    {
        switch (PacketClassifier.Classify(datagram))
        {
            case PacketKind.Stun:
                if (_ice.ProcessStun(datagram, source, _stunResponse, out int responseLength) != StunOutcome.Dropped && responseLength > 0)
                {
                    SendTo(_stunResponse.AsSpan(0, responseLength), source);
                }

                return -1;
            case PacketKind.Dtls:
                if (!_ice.IsValidated(source))
                {
                    Interlocked.Increment(ref _droppedUnvalidated);
                    return -1;
                }

                _dtls.OnDatagram(datagram);
                return -1;
            case PacketKind.Rtp:
            case PacketKind.Rtcp:
                return OnSrtp(datagram, source);
            default:
                Interlocked.Increment(ref _droppedUnknown);
                return -1;
        }
    }

    private int OnSrtp(Span<byte> datagram, SocketAddress source)
    {
        if (!_ice.IsValidated(source))
        {
            Interlocked.Increment(ref _droppedUnvalidated);
            return -1;
        }

        SrtpContext? inbound = _inbound;
        if (inbound is null)
        {
            Interlocked.Increment(ref _droppedBeforeKeys);
            return -1;
        }

        if (PacketClassifier.Classify(datagram) == PacketKind.Rtcp)
        {
            if (inbound.UnprotectRtcp(datagram, out int rtcpLength) == SrtpResult.Ok)
            {
                QueueRtcp(datagram[..rtcpLength]);
            }

            return -1;
        }

        return inbound.UnprotectRtp(datagram, out int length) == SrtpResult.Ok ? length : -1;
    }

    private void QueueRtcp(ReadOnlySpan<byte> rtcp)
    {
        if (_rtcpCount == RtcpSlots)
        {
            _rtcpOverflow++; // the participant drains RTCP after RTP every poll; eight compounds per poll is plenty
            return;
        }

        int slot = (_rtcpHead + _rtcpCount) % RtcpSlots;
        rtcp.CopyTo(_rtcpRing[slot]);
        _rtcpLengths[slot] = rtcp.Length;
        _rtcpCount++;
    }

    private bool Protect(ReadOnlySpan<byte> packet, bool rtcp)
    {
        SrtpContext? outbound = _outbound;
        SocketAddress? destination = _ice.SelectedAddress;
        if (outbound is null || destination is null || !_ice.HasConsent || packet.Length > MaxDatagramBytes)
        {
            return false;
        }

        packet.CopyTo(_sendBuffer);
        int length = rtcp ? outbound.ProtectRtcp(_sendBuffer, packet.Length) : outbound.ProtectRtp(_sendBuffer, packet.Length);
        return length > 0 && SendTo(_sendBuffer.AsSpan(0, length), destination);
    }

    /// <summary>DTLS flights (BouncyCastle's thread) go to the address ICE selected.</summary>
    private void SendDtls(ReadOnlySpan<byte> datagram)
    {
        if (_ice.SelectedAddress is { } destination)
        {
            SendTo(datagram, destination);
        }
    }

    private Task OnKeys(Task<SrtpKeyingMaterial> handshake)
    {
        if (handshake.IsCompletedSuccessfully && Volatile.Read(ref _disposed) == 0)
        {
            // We are the DTLS server: the browser (client) protects with the client keys, we with the server's.
            _inbound = new SrtpContext(handshake.Result.Client);
            _outbound = new SrtpContext(handshake.Result.Server);
        }

        return handshake;
    }

    private int ReceiveDatagram(Span<byte> buffer, SocketAddress source)
    {
        try
        {
            // Poll, not Available: FIONREAD is the next datagram's size, 0 for an empty one, which would then block the queue.
            if (!_socket.Poll(0, SelectMode.SelectRead))
            {
                return -1;
            }

            return _socket.ReceiveFrom(buffer, SocketFlags.None, source);
        }
        catch (SocketException)
        {
            return 0; // an oversized datagram or an ICMP error: dropped
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
    }

    private bool SendTo(ReadOnlySpan<byte> datagram, SocketAddress destination)
    {
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, destination);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }
}
