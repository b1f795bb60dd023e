using System.Net;
using System.Net.Sockets;
using Org.BouncyCastle.Tls;

namespace ConferenceCluster.Media.Tests.WebRtc.Support;

/// <summary>BouncyCastle's datagram transport over a connected UDP socket (the test browser's DTLS client side).</summary>
internal sealed class UdpDatagramTransport(Socket socket, EndPoint remote) : DatagramTransport
{
    public int GetReceiveLimit() => 2048;

    public int GetSendLimit() => 1200;

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    public int Receive(Span<byte> buffer, int waitMillis)
    {
        if (!socket.Poll(TimeSpan.FromMilliseconds(Math.Max(1, waitMillis)), SelectMode.SelectRead))
        {
            return -1;
        }

        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        var data = new byte[2048];
        int length = socket.ReceiveFrom(data, ref from);
        // Only DTLS (first byte 20–63) is for BouncyCastle; STUN responses and SRTP are not.
        if (length == 0 || data[0] is < 20 or > 63)
        {
            return -1;
        }

        data.AsSpan(0, Math.Min(length, buffer.Length)).CopyTo(buffer);
        return length;
    }

    public void Send(byte[] buf, int off, int len) => socket.SendTo(buf, off, len, SocketFlags.None, remote);

    public void Send(ReadOnlySpan<byte> buffer) => socket.SendTo(buffer, SocketFlags.None, remote);

    public void Close()
    {
    }
}
