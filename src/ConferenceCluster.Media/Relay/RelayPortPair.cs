using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.Transport;

namespace ConferenceCluster.Media.Relay;

/// <summary>
/// One RTP/RTCP port pair of a relay, as blocking sockets for async receive loops (the mixers' <see cref="RtpTransport"/>
/// sockets are non-blocking and drained by a worker instead). The pair comes from the media node's port range.
/// </summary>
internal sealed class RelayPortPair : IDisposable
{
    private readonly RtpPortAllocator _allocator;
    private int _disposed;

    private RelayPortPair(RtpPortAllocator allocator, Socket rtp, Socket rtcp, int rtpPort)
    {
        _allocator = allocator;
        Rtp = rtp;
        Rtcp = rtcp;
        RtpPort = rtpPort;
    }

    public Socket Rtp { get; }

    public Socket Rtcp { get; }

    public int RtpPort { get; }

    public int RtcpPort => RtpPort + 1;

    /// <exception cref="InvalidOperationException">No pair of the range could be bound.</exception>
    public static RelayPortPair Bind(IPAddress address, RtpPortAllocator allocator)
    {
        for (int attempt = 0; attempt < allocator.Capacity && allocator.TryAllocate(out int port); attempt++)
        {
            Socket? rtp = null;
            try
            {
                rtp = BoundSocket(address, port);
                return new RelayPortPair(allocator, rtp, BoundSocket(address, port + 1), port);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
            {
                // Held by something outside this node's allocator: try the next pair.
                rtp?.Dispose();
                allocator.Release(port);
            }
        }

        throw new MediaPortsExhaustedException($"No free port pair for a relay in {allocator.Range}.");
    }

    private static Socket BoundSocket(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Rtp.Dispose();
        Rtcp.Dispose();
        _allocator.Release(RtpPort);
    }
}
