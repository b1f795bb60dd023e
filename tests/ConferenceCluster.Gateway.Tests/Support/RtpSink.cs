using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ConferenceCluster.Gateway.Tests.Support;

internal sealed record RtpPacket(IPEndPoint Source, byte PayloadType, ushort Sequence, uint Ssrc, byte[] Payload, DateTime ReceivedAt);

/// <summary>
/// A UDP socket on 127.0.0.1 the test owns and offers as the m= port of an SDP offer: it keeps every RTP packet
/// it receives with its source.
/// </summary>
/// <remarks>
/// With <see cref="LatchPayloadType"/> set it also behaves as the symmetric RTP endpoint its offer describes: on the
/// first packet from the conference it sends one RTP packet back from this same port (160 bytes of silence in
/// that payload type), so a media node that latches onto the source of the first RTP it receives (comedia) keeps
/// sending here.
/// </remarks>
internal sealed class RtpSink : IDisposable
{
    private readonly UdpClient _socket;
    private readonly ConcurrentQueue<RtpPacket> _packets = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _latchSent;

    public RtpSink(byte? latchPayloadType = null, byte latchSilence = 0xD5)
    {
        LatchPayloadType = latchPayloadType;
        LatchSilence = latchSilence;
        _socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)_socket.Client.LocalEndPoint!).Port;
        _loop = Task.Run(ReceiveLoopAsync);
    }

    public int Port { get; }

    public byte? LatchPayloadType { get; }

    public byte LatchSilence { get; }

    public IReadOnlyList<RtpPacket> Packets => _packets.ToList();

    private async Task ReceiveLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult datagram;
            try
            {
                datagram = await _socket.ReceiveAsync(_stop.Token);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { continue; } // ICMP port unreachable reported back on loopback

            var data = datagram.Buffer;
            if (data.Length < 12 || data[0] >> 6 != 2) continue; // not RTP (v2)
            var csrcCount = data[0] & 0x0F;
            var headerLength = 12 + 4 * csrcCount;
            if ((data[0] & 0x10) != 0 && data.Length >= headerLength + 4)
                headerLength += 4 + 4 * ((data[headerLength + 2] << 8) | data[headerLength + 3]);
            if (headerLength > data.Length) continue;
            var payloadType = (byte)(data[1] & 0x7F);
            if (payloadType is >= 72 and <= 76) continue; // RTCP multiplexed here would carry 200-204
            var packet = new RtpPacket(datagram.RemoteEndPoint, payloadType, (ushort)((data[2] << 8) | data[3]),
                (uint)((data[8] << 24) | (data[9] << 16) | (data[10] << 8) | data[11]), data[headerLength..], DateTime.UtcNow);
            _packets.Enqueue(packet);

            if (LatchPayloadType is { } pt && Interlocked.Exchange(ref _latchSent, 1) == 0)
            {
                var reply = new byte[12 + 160];
                reply[0] = 0x80;
                reply[1] = pt;
                reply[3] = 1;
                reply[11] = 0x5A; // SSRC 0x5A
                Array.Fill(reply, LatchSilence, 12, 160);
                await _socket.SendAsync(reply, datagram.RemoteEndPoint);
            }
        }
    }

    /// <summary>Sends from this sink's own port, as a symmetric RTP endpoint sends and receives on one port (RFC 4961).</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint to) => await _socket.SendAsync(datagram, to);

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try { _loop.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
    }
}
