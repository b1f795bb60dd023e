using System.Security.Cryptography;
using ConferenceCluster.Media.Rtp;

namespace ConferenceCluster.Media.Video.Rtp;

/// <summary>
/// One outgoing VP8 RTP stream (RFC 7741): SSRC, sequence numbers, picture ids, the packetization of each frame
/// below <see cref="MaxPacketBytes"/>, and the history a NACK is answered from. A frame is cut into near-equal
/// payloads (not full ones and a tiny tail), each behind our 4-byte descriptor; the last carries the marker bit.
/// </summary>
/// <remarks>Not thread-safe: owned by the video worker that sends the stream. Nothing here allocates per packet.</remarks>
public sealed class VideoSendStream
{
    /// <summary>Largest RTP packet we send: 1200 bytes, the common WebRTC budget (room for SRTP, TURN and IPv6 under a 1500 MTU).</summary>
    public const int MaxPacketBytes = 1200;

    private readonly RtpPacketHistory _history;
    private readonly byte[] _packet = new byte[RtpPacketHistory.MaxPacketBytes];

    public VideoSendStream(byte payloadType, uint? ssrc = null, int historyCapacity = 256)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadType, (byte)127);
        PayloadType = payloadType;
        Ssrc = ssrc ?? RandomUInt32();
        NextSequence = (ushort)RandomUInt32();
        PictureId = (int)(RandomUInt32() & 0x7FFF);
        TimestampOffset = RandomUInt32();
        _history = new RtpPacketHistory(historyCapacity);
    }

    public byte PayloadType { get; }

    public uint Ssrc { get; }

    public ushort NextSequence { get; private set; }

    /// <summary>The 15-bit picture id the next frame gets.</summary>
    public int PictureId { get; private set; }

    /// <summary>Random start of this stream's RTP timestamps (RFC 3550 §5.1), added to the 90 kHz media clock.</summary>
    public uint TimestampOffset { get; }

    public long PacketCount { get; private set; }

    public long OctetCount { get; private set; }

    public long FramesSent { get; private set; }

    public long PacketsRetransmitted { get; private set; }

    /// <summary>RTP timestamp of the last frame sent (for a sender report).</summary>
    public uint LastTimestamp { get; private set; }

    /// <summary>
    /// Starts sending one frame: enumerate the returned packetizer and send each packet it yields (each is stored for
    /// NACKs as it is made).
    /// </summary>
    /// <param name="frame">One encoded VP8 frame.</param>
    /// <param name="mediaTime90k">The frame's capture time in the 90 kHz clock; <see cref="TimestampOffset"/> is added.</param>
    /// <param name="headerExtension">An RFC 8285 extension block (profile, length, elements, padded to 32 bits), or empty.</param>
    public FramePacketizer BeginFrame(ReadOnlySpan<byte> frame, long mediaTime90k, ReadOnlySpan<byte> headerExtension = default)
    {
        if (frame.IsEmpty)
        {
            throw new ArgumentException("An empty frame has nothing to send.", nameof(frame));
        }

        if ((headerExtension.Length & 3) != 0 || headerExtension.Length > 256)
        {
            throw new ArgumentException("A header extension block is whole 32-bit words, at most 256 bytes.", nameof(headerExtension));
        }

        uint timestamp = (uint)mediaTime90k + TimestampOffset;
        int pictureId = PictureId;
        PictureId = (PictureId + 1) & 0x7FFF;
        LastTimestamp = timestamp;
        FramesSent++;
        return new FramePacketizer(this, frame, timestamp, pictureId, headerExtension);
    }

    /// <summary>Sends again the packets of <paramref name="sequences"/> still in the history, through <paramref name="send"/>.</summary>
    /// <returns>How many were found and sent.</returns>
    public int Retransmit<TSender>(ReadOnlySpan<ushort> sequences, ref TSender sender) where TSender : IRtpPacketSender, allows ref struct
    {
        int sent = 0;
        foreach (ushort sequence in sequences)
        {
            if (_history.TryGet(sequence, out ReadOnlySpan<byte> packet))
            {
                sender.Send(packet);
                sent++;
            }
        }

        PacketsRetransmitted += sent;
        return sent;
    }

    private int WritePacket(ReadOnlySpan<byte> chunk, bool first, bool last, uint timestamp, int pictureId, ReadOnlySpan<byte> extension)
    {
        Span<byte> packet = _packet;
        ushort sequence = NextSequence++;
        int offset = RtpHeader.WriteFixed(packet, last, PayloadType, sequence, timestamp, Ssrc);
        if (!extension.IsEmpty)
        {
            packet[0] |= 0x10; // X: a header extension follows the fixed header
            extension.CopyTo(packet[offset..]);
            offset += extension.Length;
        }

        offset += Vp8PayloadDescriptor.Write(packet[offset..], first, pictureId);
        chunk.CopyTo(packet[offset..]);
        int length = offset + chunk.Length;
        _history.Store(sequence, packet[..length]);
        PacketCount++;
        OctetCount += length - RtpHeader.FixedLength;
        return length;
    }

    private static uint RandomUInt32()
    {
        Span<byte> bytes = stackalloc byte[4];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt32(bytes);
    }

    /// <summary>Cuts one frame into packets; <see cref="TryNext"/> yields each finished packet (valid until the next call).</summary>
    public ref struct FramePacketizer
    {
        private readonly VideoSendStream _stream;
        private readonly ReadOnlySpan<byte> _frame;
        private readonly ReadOnlySpan<byte> _extension;
        private readonly uint _timestamp;
        private readonly int _pictureId;
        private readonly int _packets;
        private readonly int _baseChunk;
        private readonly int _longerChunks;
        private int _index;

        internal FramePacketizer(VideoSendStream stream, ReadOnlySpan<byte> frame, uint timestamp, int pictureId, ReadOnlySpan<byte> extension)
        {
            _stream = stream;
            _frame = frame;
            _extension = extension;
            _timestamp = timestamp;
            _pictureId = pictureId;
            int room = MaxPacketBytes - RtpHeader.FixedLength - extension.Length - Vp8PayloadDescriptor.WrittenLength;
            _packets = (frame.Length + room - 1) / room;
            // Equal shares, the remainder spread one byte each over the first packets: no tiny last packet.
            _baseChunk = frame.Length / _packets;
            _longerChunks = frame.Length % _packets;
        }

        /// <summary>Packets this frame takes.</summary>
        public readonly int PacketCount => _packets;

        public bool TryNext(out ReadOnlySpan<byte> packet)
        {
            if (_index >= _packets)
            {
                packet = default;
                return false;
            }

            int start = _index * _baseChunk + Math.Min(_index, _longerChunks);
            int length = _baseChunk + (_index < _longerChunks ? 1 : 0);
            int written = _stream.WritePacket(_frame.Slice(start, length), _index == 0, _index == _packets - 1, _timestamp, _pictureId, _extension);
            packet = _stream._packet.AsSpan(0, written);
            _index++;
            return true;
        }
    }
}

/// <summary>Where a video stream's packets go (a transport, or a test's list).</summary>
public interface IRtpPacketSender
{
    void Send(ReadOnlySpan<byte> packet);
}
