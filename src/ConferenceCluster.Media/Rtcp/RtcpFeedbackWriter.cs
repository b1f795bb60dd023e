using System.Buffers.Binary;

namespace ConferenceCluster.Media.Rtcp;

/// <summary>
/// The feedback message types of RTP/AVPF (RFC 4585 §6) and codec control messages (RFC 5104 §4.3) that video uses.
/// </summary>
public static class RtcpFeedbackTypes
{
    /// <summary>Transport-layer feedback (RFC 4585 §6.2): the FMT is <see cref="GenericNack"/>.</summary>
    public const byte TransportFeedback = 205;

    /// <summary>Payload-specific feedback (RFC 4585 §6.3): PLI, FIR, REMB.</summary>
    public const byte PayloadFeedback = 206;

    /// <summary>RTPFB FMT 1: generic NACK (RFC 4585 §6.2.1).</summary>
    public const int GenericNack = 1;

    /// <summary>PSFB FMT 1: picture loss indication (RFC 4585 §6.3.1).</summary>
    public const int PictureLossIndication = 1;

    /// <summary>PSFB FMT 4: full intra request (RFC 5104 §4.3.1).</summary>
    public const int FullIntraRequest = 4;

    /// <summary>PSFB FMT 15: application layer feedback, here REMB (draft-alvestrand-rmcat-remb §2.2).</summary>
    public const int ApplicationLayerFeedback = 15;

    /// <summary>NACK FCIs carried in one message at most (each covers 17 sequence numbers).</summary>
    public const int MaxNackItems = 64;
}

/// <summary>
/// Appends RTCP feedback messages (RFC 4585 §6.1's common format: V=2, FMT, PT, length, sender SSRC, media SSRC, FCI)
/// to a compound being built in a caller's buffer, after the SR/RR and SDES an <see cref="RtcpWriter"/> wrote, or
/// alone (reduced-size RTCP, RFC 5506). Never allocates.
/// </summary>
public ref struct RtcpFeedbackWriter
{
    private readonly Span<byte> _buffer;

    /// <param name="buffer">The compound's buffer.</param>
    /// <param name="written">Bytes already in it (what an <see cref="RtcpWriter"/> wrote first).</param>
    public RtcpFeedbackWriter(Span<byte> buffer, int written = 0)
    {
        _buffer = buffer;
        Written = written;
    }

    public int Written { get; private set; }

    public readonly ReadOnlySpan<byte> Packet => _buffer[..Written];

    /// <summary>
    /// Generic NACK (RFC 4585 §6.2.1): each FCI is a lost packet id (PID) and a bitmask of the 16 following ones
    /// (BLP). <paramref name="lost"/> is in any order; duplicates are harmless.
    /// </summary>
    /// <returns>The number of sequence numbers written (all of them unless more FCIs than <see cref="RtcpFeedbackTypes.MaxNackItems"/> were needed).</returns>
    public int WriteNack(uint senderSsrc, uint mediaSsrc, scoped ReadOnlySpan<ushort> lost)
    {
        if (lost.IsEmpty)
        {
            return 0;
        }

        // Sort a copy (at most a few hundred entries) so consecutive losses share an FCI.
        Span<ushort> sorted = stackalloc ushort[Math.Min(lost.Length, RtcpFeedbackTypes.MaxNackItems * 17)];
        lost[..sorted.Length].CopyTo(sorted);
        SortBySequence(sorted);

        Span<uint> items = stackalloc uint[RtcpFeedbackTypes.MaxNackItems];
        int itemCount = 0, covered = 0;
        for (int i = 0; i < sorted.Length && itemCount < items.Length;)
        {
            ushort pid = sorted[i];
            ushort mask = 0;
            int j = i + 1;
            for (; j < sorted.Length; j++)
            {
                int offset = (ushort)(sorted[j] - pid);
                if (offset == 0)
                {
                    continue; // a duplicate
                }

                if (offset > 16)
                {
                    break;
                }

                mask |= (ushort)(1 << (offset - 1));
            }

            items[itemCount++] = (uint)pid << 16 | mask;
            covered += j - i;
            i = j;
        }

        Span<byte> packet = Begin(RtcpFeedbackTypes.TransportFeedback, RtcpFeedbackTypes.GenericNack, senderSsrc, mediaSsrc, 4 * itemCount);
        for (int i = 0; i < itemCount; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(packet[(12 + 4 * i)..], items[i]);
        }

        return covered;
    }

    /// <summary>Picture loss indication (RFC 4585 §6.3.1): "send me a key frame"; no FCI.</summary>
    public void WritePictureLossIndication(uint senderSsrc, uint mediaSsrc) =>
        Begin(RtcpFeedbackTypes.PayloadFeedback, RtcpFeedbackTypes.PictureLossIndication, senderSsrc, mediaSsrc, 0);

    /// <summary>
    /// Full intra request (RFC 5104 §4.3.1): the media SSRC field is 0 and the FCI names the stream and a command
    /// sequence number, which the requester increments for each new request (a repeat keeps it).
    /// </summary>
    public void WriteFullIntraRequest(uint senderSsrc, uint mediaSsrc, byte commandSequence)
    {
        Span<byte> packet = Begin(RtcpFeedbackTypes.PayloadFeedback, RtcpFeedbackTypes.FullIntraRequest, senderSsrc, 0, 8);
        BinaryPrimitives.WriteUInt32BigEndian(packet[12..], mediaSsrc);
        packet[16] = commandSequence;
        packet[17] = packet[18] = packet[19] = 0;
    }

    /// <summary>
    /// Receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb §2.2): "send me at most this", for the listed
    /// streams. The bitrate is written as an 18-bit mantissa and a 6-bit exponent, rounded down.
    /// </summary>
    public void WriteRemb(uint senderSsrc, ulong bitsPerSecond, scoped ReadOnlySpan<uint> mediaSsrcs)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(mediaSsrcs.Length, 255);
        int exponent = 0;
        ulong mantissa = bitsPerSecond;
        while (mantissa > 0x3FFFF)
        {
            mantissa >>= 1;
            exponent++;
        }

        Span<byte> packet = Begin(RtcpFeedbackTypes.PayloadFeedback, RtcpFeedbackTypes.ApplicationLayerFeedback, senderSsrc, 0, 8 + 4 * mediaSsrcs.Length);
        "REMB"u8.CopyTo(packet[12..]);
        BinaryPrimitives.WriteUInt32BigEndian(packet[16..], (uint)mediaSsrcs.Length << 24 | (uint)exponent << 18 | (uint)mantissa);
        for (int i = 0; i < mediaSsrcs.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(packet[(20 + 4 * i)..], mediaSsrcs[i]);
        }
    }

    private Span<byte> Begin(byte packetType, int format, uint senderSsrc, uint mediaSsrc, int fciLength)
    {
        int length = 12 + fciLength;
        if (_buffer.Length - Written < length)
        {
            throw new ArgumentException($"The RTCP buffer has no room for a {length}-byte feedback message.");
        }

        Span<byte> packet = _buffer.Slice(Written, length);
        packet[0] = (byte)(0x80 | format);
        packet[1] = packetType;
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], (ushort)(length / 4 - 1));
        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(packet[8..], mediaSsrc);
        Written += length;
        return packet;
    }

    /// <summary>Insertion sort in 16-bit serial-number order relative to the first entry (RFC 1982): losses wrap at 65535.</summary>
    private static void SortBySequence(Span<ushort> values)
    {
        if (values.IsEmpty)
        {
            return;
        }

        ushort origin = values[0];
        for (int i = 0; i < values.Length; i++)
        {
            origin = (short)(ushort)(values[i] - origin) < 0 ? values[i] : origin;
        }

        for (int i = 1; i < values.Length; i++)
        {
            ushort value = values[i];
            int key = (ushort)(value - origin);
            int j = i - 1;
            while (j >= 0 && (ushort)(values[j] - origin) > key)
            {
                values[j + 1] = values[j];
                j--;
            }

            values[j + 1] = value;
        }
    }
}
