using System.Buffers.Binary;

namespace ConferenceCluster.Media.Rtcp;

/// <summary>One feedback request a video sender acts on, read from an RTCP packet by <see cref="RtcpFeedbackReader"/>.</summary>
public enum RtcpFeedbackKind
{
    None,
    /// <summary>Generic NACK: retransmit the listed packets (RFC 4585 §6.2.1).</summary>
    Nack,
    /// <summary>Picture loss: send a key frame (RFC 4585 §6.3.1).</summary>
    PictureLoss,
    /// <summary>Full intra request: send a key frame (RFC 5104 §4.3.1).</summary>
    FullIntraRequest,
    /// <summary>Receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb).</summary>
    Remb,
}

/// <summary>
/// Reads the feedback messages <see cref="RtcpFeedbackWriter"/> writes, from a packet of a compound walked with
/// <see cref="RtcpCompoundReader"/>. Never throws on what arrives from the network: a message too short for what its
/// header claims reads as <see cref="RtcpFeedbackKind.None"/>.
/// </summary>
public static class RtcpFeedbackReader
{
    /// <summary>
    /// What a feedback packet asks, and of which of our streams (the media source SSRC; for FIR the SSRC of its first
    /// FCI). <see cref="RtcpFeedbackKind.None"/> for anything else.
    /// </summary>
    public static RtcpFeedbackKind Classify(in RtcpPacket packet, out uint senderSsrc, out uint mediaSsrc)
    {
        senderSsrc = mediaSsrc = 0;
        ReadOnlySpan<byte> raw = packet.Raw;
        byte type = (byte)packet.Type;
        if (type is not (RtcpFeedbackTypes.TransportFeedback or RtcpFeedbackTypes.PayloadFeedback) || raw.Length < 12)
        {
            return RtcpFeedbackKind.None;
        }

        senderSsrc = BinaryPrimitives.ReadUInt32BigEndian(raw[4..]);
        mediaSsrc = BinaryPrimitives.ReadUInt32BigEndian(raw[8..]);
        int format = packet.Count; // the 5-bit count field is the FMT in feedback messages
        if (type == RtcpFeedbackTypes.TransportFeedback)
        {
            return format == RtcpFeedbackTypes.GenericNack && raw.Length >= 16 ? RtcpFeedbackKind.Nack : RtcpFeedbackKind.None;
        }

        switch (format)
        {
            case RtcpFeedbackTypes.PictureLossIndication:
                return RtcpFeedbackKind.PictureLoss;
            case RtcpFeedbackTypes.FullIntraRequest when raw.Length >= 20:
                mediaSsrc = BinaryPrimitives.ReadUInt32BigEndian(raw[12..]);
                return RtcpFeedbackKind.FullIntraRequest;
            case RtcpFeedbackTypes.ApplicationLayerFeedback when raw.Length >= 20 && raw.Slice(12, 4).SequenceEqual("REMB"u8):
                return RtcpFeedbackKind.Remb;
            default:
                return RtcpFeedbackKind.None;
        }
    }

    /// <summary>The sequence numbers a generic NACK asks for, written to <paramref name="lost"/>.</summary>
    /// <returns>How many were written (at most <paramref name="lost"/>'s length).</returns>
    public static int ReadNack(in RtcpPacket packet, Span<ushort> lost)
    {
        ReadOnlySpan<byte> raw = packet.Raw;
        int count = 0;
        for (int offset = 12; offset + 4 <= raw.Length && count < lost.Length; offset += 4)
        {
            ushort pid = BinaryPrimitives.ReadUInt16BigEndian(raw[offset..]);
            ushort mask = BinaryPrimitives.ReadUInt16BigEndian(raw[(offset + 2)..]);
            lost[count++] = pid;
            for (int bit = 0; bit < 16 && count < lost.Length; bit++)
            {
                if ((mask & (1 << bit)) != 0)
                {
                    lost[count++] = (ushort)(pid + bit + 1);
                }
            }
        }

        return count;
    }

    /// <summary>
    /// The FIR entry addressed to <paramref name="ourSsrc"/> and its command sequence number (RFC 5104 §4.3.1.1: a
    /// repeat of the last number is a retransmission of the same request, not a new one).
    /// </summary>
    public static bool TryGetFullIntraRequest(in RtcpPacket packet, uint ourSsrc, out byte commandSequence)
    {
        ReadOnlySpan<byte> raw = packet.Raw;
        for (int offset = 12; offset + 8 <= raw.Length; offset += 8)
        {
            if (BinaryPrimitives.ReadUInt32BigEndian(raw[offset..]) == ourSsrc)
            {
                commandSequence = raw[offset + 4];
                return true;
            }
        }

        commandSequence = 0;
        return false;
    }

    /// <summary>A REMB's bitrate (bit/s) and the streams it applies to (written to <paramref name="mediaSsrcs"/>).</summary>
    public static bool TryReadRemb(in RtcpPacket packet, out ulong bitsPerSecond, Span<uint> mediaSsrcs, out int ssrcCount)
    {
        bitsPerSecond = 0;
        ssrcCount = 0;
        ReadOnlySpan<byte> raw = packet.Raw;
        if (raw.Length < 20 || !raw.Slice(12, 4).SequenceEqual("REMB"u8))
        {
            return false;
        }

        uint word = BinaryPrimitives.ReadUInt32BigEndian(raw[16..]);
        int listed = (int)(word >> 24);
        int exponent = (int)(word >> 18) & 0x3F;
        ulong mantissa = word & 0x3FFFF;
        bitsPerSecond = exponent >= 46 ? ulong.MaxValue : mantissa << exponent;
        int present = Math.Min(listed, (raw.Length - 20) / 4);
        for (int i = 0; i < present && ssrcCount < mediaSsrcs.Length; i++)
        {
            mediaSsrcs[ssrcCount++] = BinaryPrimitives.ReadUInt32BigEndian(raw[(20 + 4 * i)..]);
        }

        return true;
    }

    /// <summary>
    /// A compound RTCP packet as RFC 3550 A.2 validates it, or a reduced-size one (RFC 5506 §3.4.2: it may start with a
    /// feedback message instead of an SR/RR, as browsers with rtcp-rsize send PLI and NACK alone).
    /// </summary>
    public static bool IsValidCompoundOrReducedSize(ReadOnlySpan<byte> datagram)
    {
        if (RtcpCompoundReader.IsValidCompound(datagram))
        {
            return true;
        }

        if (datagram.Length < 12 || datagram[1] is not (RtcpFeedbackTypes.TransportFeedback or RtcpFeedbackTypes.PayloadFeedback))
        {
            return false;
        }

        var reader = new RtcpCompoundReader(datagram);
        while (reader.TryReadNext(out _))
        {
        }

        return !reader.Malformed;
    }
}
