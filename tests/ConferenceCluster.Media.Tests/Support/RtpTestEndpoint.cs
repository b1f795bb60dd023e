using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.Rtp;

namespace ConferenceCluster.Media.Tests.Support;

/// <summary>
/// A stand-in for a remote phone in end-to-end tests: one UDP socket on 127.0.0.1 that sends pre-built RTP
/// payloads and keeps every RTP packet it receives (ordered by sequence number for decoding afterwards).
/// </summary>
internal sealed class RtpTestEndpoint : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly byte[] _receiveBuffer = new byte[2048];
    private readonly uint _ssrc = (uint)Random.Shared.Next();
    private ushort _sequence = (ushort)Random.Shared.Next();
    private uint _timestamp = (uint)Random.Shared.Next();

    public RtpTestEndpoint(byte payloadType, int samplesPerFrame)
    {
        PayloadType = payloadType;
        SamplesPerFrame = samplesPerFrame;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _socket.Blocking = false;
    }

    public byte PayloadType { get; }

    public int SamplesPerFrame { get; }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public IPEndPoint? Server { get; set; }

    /// <summary>Received packets' payloads by extended sequence number.</summary>
    public SortedDictionary<long, byte[]> Received { get; } = [];

    public HashSet<byte> ReceivedPayloadTypes { get; } = [];

    public void SendFrame(ReadOnlySpan<byte> payload)
    {
        SendRaw(PayloadType, _sequence++, _timestamp, payload);
        _timestamp += (uint)SamplesPerFrame;
    }

    /// <summary>Sends a frame carrying its RFC 6464 level in a one-byte header extension with <paramref name="extensionId"/>.</summary>
    public void SendFrame(ReadOnlySpan<byte> payload, AudioLevel level, int extensionId)
    {
        byte[] packet = RtpPackets.BuildWithExtension(PayloadType, _sequence++, _timestamp, _ssrc, payload, RtpPackets.OneByteElement(extensionId, [level.ToByte()]));
        _socket.SendTo(packet, Server ?? throw new InvalidOperationException("No server address yet."));
        _timestamp += (uint)SamplesPerFrame;
    }

    /// <summary>Lets a frame's time pass without sending (Opus DTX between comfort-noise updates).</summary>
    public void SkipFrame() => _timestamp += (uint)SamplesPerFrame;

    /// <summary>Sends an RFC 4733 key press of 100 ms: three updates, then the end packet three times.</summary>
    public void SendDtmf(byte telephoneEventPayloadType, byte eventCode, int clockRate)
    {
        var payload = new byte[4];
        int step = clockRate / 50;
        for (int i = 1; i <= 5; i++)
        {
            bool end = i == 5;
            new TelephoneEvent(eventCode, end, 10, (ushort)(step * i)).Write(payload);
            for (int copy = 0; copy < (end ? 3 : 1); copy++)
            {
                SendRaw(telephoneEventPayloadType, _sequence++, _timestamp, payload);
            }
        }
    }

    public void DrainReceived()
    {
        while (_socket.Available > 0)
        {
            int length = _socket.Receive(_receiveBuffer);
            if (RtpHeader.TryParse(_receiveBuffer.AsSpan(0, length), out RtpHeader header))
            {
                ReceivedPayloadTypes.Add(header.PayloadType);
                long key = Extend(header.SequenceNumber);
                Received[key] = header.PayloadOf(_receiveBuffer.AsSpan(0, length)).ToArray();
            }
        }
    }

    public void Dispose() => _socket.Dispose();

    private long _highest = -1;

    private long Extend(ushort sequence)
    {
        if (_highest < 0)
        {
            _highest = sequence;
            return sequence;
        }

        long extended = _highest + (short)(ushort)(sequence - (ushort)_highest);
        _highest = Math.Max(_highest, extended);
        return extended;
    }

    private void SendRaw(byte payloadType, ushort sequence, uint timestamp, ReadOnlySpan<byte> payload)
    {
        var packet = new byte[RtpHeader.FixedLength + payload.Length];
        RtpHeader.WriteFixed(packet, false, payloadType, sequence, timestamp, _ssrc);
        payload.CopyTo(packet.AsSpan(RtpHeader.FixedLength));
        _socket.SendTo(packet, Server ?? throw new InvalidOperationException("No server address yet."));
    }
}
