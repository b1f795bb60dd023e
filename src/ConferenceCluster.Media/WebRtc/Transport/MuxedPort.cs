using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.Transport;

namespace ConferenceCluster.Media.WebRtc.Transport;

/// <summary>
/// Binds the one UDP port a WebRTC leg (or a relay side) uses, from the node's RTP port allocator: it hands out
/// RTP/RTCP pairs, so a pair is taken and its odd port stays unused; one allocator then serves every kind of leg.
/// </summary>
internal static class MuxedPort
{
    /// <exception cref="MediaPortsExhaustedException">No port of the range could be bound.</exception>
    public static Socket Bind(IPAddress address, RtpPortAllocator allocator, out int port, bool blocking, int socketBufferBytes = 0)
    {
        for (int attempt = 0; attempt < allocator.Capacity && allocator.TryAllocate(out port); attempt++)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                if (socketBufferBytes > 0)
                {
                    socket.ReceiveBufferSize = socketBufferBytes;
                    socket.SendBufferSize = socketBufferBytes;
                }

                socket.Bind(new IPEndPoint(address, port));
                socket.Blocking = blocking;
                return socket;
            }
            catch (SocketException exception) when (exception.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
            {
                // held by something outside this node's allocator: try the next pair
                socket.Dispose();
                allocator.Release(port);
            }
        }

        throw new MediaPortsExhaustedException($"No free port for a WebRTC leg or relay in {allocator.Range}.");
    }
}
