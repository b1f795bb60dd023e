using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.Transport;

namespace ConferenceCluster.Media.Relay;

/// <summary>
/// A proxying edge node's media for one call (R43, R59): RTP and RTCP relayed both ways between the endpoint and the
/// call's leg on a transcoding node, without decoding. The endpoint talks to the <em>outer</em> port pair (in the SDP
/// answer); the leg on the transcoding node talks to the <em>inner</em> pair (the leg's remote address).
/// </summary>
/// <remarks>
/// Four receive loops, one per socket, each forwarding straight from its one buffer, so no packet allocates.
/// Symmetric RTP on the endpoint side (RFC 4961): the first RTP (or RTCP) packet that arrives on the outer pair fixes
/// where the endpoint is reached, whatever its SDP said (NAT); after that only that source is relayed until
/// <see cref="SetEndpoint"/> moves it. The inner side relays only what comes from the leg's address.
/// </remarks>
public sealed class RtpRelay : IAsyncDisposable
{
    private const int MaxDatagramBytes = 1500;

    private readonly RelayPortPair _outer;
    private readonly RelayPortPair _inner;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _loops;
    private volatile SocketAddress? _endpointRtp;
    private volatile SocketAddress? _endpointRtcp;
    private volatile bool _endpointRtpLatched;
    private volatile bool _endpointRtcpLatched;
    private volatile SocketAddress? _legRtp;
    private volatile SocketAddress? _legRtcp;
    private long _rtpFromEndpoint;
    private long _rtpToEndpoint;
    private long _rtcpFromEndpoint;
    private long _rtcpToEndpoint;
    private long _dropped;

    private RtpRelay(RelayPortPair outer, RelayPortPair inner)
    {
        _outer = outer;
        _inner = inner;
        _loops =
        [
            Task.Run(() => RelayAsync(_outer.Rtp, isRtcp: false, fromEndpoint: true)),
            Task.Run(() => RelayAsync(_inner.Rtp, isRtcp: false, fromEndpoint: false)),
            Task.Run(() => RelayAsync(_outer.Rtcp, isRtcp: true, fromEndpoint: true)),
            Task.Run(() => RelayAsync(_inner.Rtcp, isRtcp: true, fromEndpoint: false)),
        ];
    }

    /// <summary>The RTP port the endpoint sends to (the SDP answer's m= port); RTCP is the next one.</summary>
    public int OuterRtpPort => _outer.RtpPort;

    /// <summary>The RTP port the transcoding node's leg sends to (its remote); RTCP is the next one.</summary>
    public int InnerRtpPort => _inner.RtpPort;

    /// <summary>Binds an outer and an inner port pair from <paramref name="ports"/> and starts relaying.</summary>
    /// <param name="endpointRtp">Where the endpoint's SDP says it receives RTP; null to learn it from its first packet.</param>
    /// <exception cref="MediaPortsExhaustedException">The port range is exhausted.</exception>
    public static RtpRelay Start(IPAddress bindAddress, RtpPortAllocator ports, IPEndPoint? endpointRtp = null, IPEndPoint? endpointRtcp = null)
    {
        ArgumentNullException.ThrowIfNull(bindAddress);
        ArgumentNullException.ThrowIfNull(ports);
        var outer = RelayPortPair.Bind(bindAddress, ports);
        RelayPortPair inner;
        try
        {
            inner = RelayPortPair.Bind(bindAddress, ports);
        }
        catch
        {
            outer.Dispose();
            throw;
        }

        var relay = new RtpRelay(outer, inner);
        if (endpointRtp is not null)
        {
            relay.SetEndpoint(endpointRtp, endpointRtcp);
        }

        return relay;
    }

    /// <summary>Where the endpoint receives (SDP, re-INVITE): relayed there until its own packets say otherwise.</summary>
    public void SetEndpoint(IPEndPoint rtp, IPEndPoint? rtcp = null)
    {
        ArgumentNullException.ThrowIfNull(rtp);
        _endpointRtp = rtp.Serialize();
        _endpointRtcp = (rtcp ?? new IPEndPoint(rtp.Address, rtp.Port + 1)).Serialize();
        _endpointRtpLatched = false;
        _endpointRtcpLatched = false;
    }

    /// <summary>The leg on the transcoding node (its local RTP port on that node's media address).</summary>
    public void SetMediaLeg(IPEndPoint rtp, IPEndPoint? rtcp = null)
    {
        ArgumentNullException.ThrowIfNull(rtp);
        _legRtcp = (rtcp ?? new IPEndPoint(rtp.Address, rtp.Port + 1)).Serialize();
        _legRtp = rtp.Serialize();
    }

    public RtpRelayStatistics GetStatistics()
    {
        var endpoint = _endpointRtp;
        return new RtpRelayStatistics(
            Interlocked.Read(ref _rtpFromEndpoint),
            Interlocked.Read(ref _rtpToEndpoint),
            Interlocked.Read(ref _rtcpFromEndpoint),
            Interlocked.Read(ref _rtcpToEndpoint),
            Interlocked.Read(ref _dropped),
            endpoint is null ? null : new IPEndPoint(IPAddress.Any, 0).Create(endpoint).ToString());
    }

    private async Task RelayAsync(Socket socket, bool isRtcp, bool fromEndpoint)
    {
        var buffer = new byte[MaxDatagramBytes];
        var source = new SocketAddress(socket.AddressFamily);
        var token = _stop.Token;
        var forwardVia = isRtcp ? (fromEndpoint ? _inner.Rtcp : _outer.Rtcp) : (fromEndpoint ? _inner.Rtp : _outer.Rtp);
        while (!token.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await socket.ReceiveFromAsync(buffer, SocketFlags.None, source, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // an oversized datagram or an ICMP error reported back: UDP simply loses it
            }

            var destination = fromEndpoint ? FromEndpoint(source, buffer.AsSpan(0, length), isRtcp) : FromLeg(source, isRtcp);
            if (destination is null)
            {
                Interlocked.Increment(ref _dropped);
                continue;
            }

            // Counted before it leaves, so whoever has received it reads statistics that include it.
            CountRelayed(fromEndpoint, isRtcp, +1);
            try
            {
                await forwardVia.SendToAsync(buffer.AsMemory(0, length), SocketFlags.None, destination, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                CountRelayed(fromEndpoint, isRtcp, -1);
                Interlocked.Increment(ref _dropped);
            }
        }
    }

    private void CountRelayed(bool fromEndpoint, bool isRtcp, long delta)
    {
        Interlocked.Add(ref fromEndpoint
            ? ref (isRtcp ? ref _rtcpFromEndpoint : ref _rtpFromEndpoint)
            : ref (isRtcp ? ref _rtcpToEndpoint : ref _rtpToEndpoint), delta);
    }

    /// <summary>Where a packet from the endpoint side goes (the leg), latching the endpoint's address; null drops it.</summary>
    private SocketAddress? FromEndpoint(SocketAddress source, ReadOnlySpan<byte> packet, bool isRtcp)
    {
        // RTP and RTCP are both version 2 (RFC 3550 5.1, 6.4); anything else is not media.
        if (packet.Length < 8 || packet[0] >> 6 != 2 || !CanReplyTo(source))
        {
            return null;
        }

        if (isRtcp)
        {
            if (!_endpointRtcpLatched)
            {
                _endpointRtcp = Copy(source);
                _endpointRtcpLatched = true;
            }
            else if (!source.Equals(_endpointRtcp))
            {
                return null;
            }

            return _legRtcp;
        }

        if (!_endpointRtpLatched)
        {
            _endpointRtp = Copy(source);
            _endpointRtpLatched = true;
            if (!_endpointRtcpLatched)
            {
                // Until the endpoint's own RTCP arrives, assume the next port (RFC 3550 11).
                var rtcp = Copy(source);
                int port = (source[2] << 8 | source[3]) + 1;
                rtcp[2] = (byte)(port >> 8);
                rtcp[3] = (byte)port;
                _endpointRtcp = rtcp;
            }
        }
        else if (!source.Equals(_endpointRtp))
        {
            return null;
        }

        return _legRtp;
    }

    private SocketAddress? FromLeg(SocketAddress source, bool isRtcp)
    {
        var leg = isRtcp ? _legRtcp : _legRtp;
        if (leg is null || !source.Equals(leg))
        {
            return null;
        }

        return isRtcp ? _endpointRtcp : _endpointRtp;
    }

    // RFC 768: source port 0 means no reply is expected; sockaddr keeps the port big-endian at bytes 2–3.
    private static bool CanReplyTo(SocketAddress source) => (source[2] | source[3]) != 0;

    private static SocketAddress Copy(SocketAddress source)
    {
        var copy = new SocketAddress(source.Family, source.Size);
        source.Buffer.Span[..source.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _outer.Dispose();
        _inner.Dispose();
        await Task.WhenAll(_loops).ConfigureAwait(false);
        _stop.Dispose();
    }
}
