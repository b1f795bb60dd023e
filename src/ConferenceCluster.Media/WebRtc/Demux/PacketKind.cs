namespace ConferenceCluster.Media.WebRtc.Demux;

/// <summary>What a datagram on a WebRTC port is, by its first byte (RFC 7983 §7) and, for RTP/RTCP, its second (RFC 5761 §4).</summary>
public enum PacketKind
{
    /// <summary>Empty, or a first byte no protocol of ours uses (ZRTP, TURN channels, QUIC...): dropped.</summary>
    Unknown,
    /// <summary>First byte 0–3.</summary>
    Stun,
    /// <summary>First byte 20–63.</summary>
    Dtls,
    /// <summary>First byte 128–191 and payload type outside 192–223.</summary>
    Rtp,
    /// <summary>First byte 128–191 and packet type 192–223 (SR 200, RR 201, SDES, BYE, APP, RTPFB 205, PSFB 206...).</summary>
    Rtcp,
}

/// <summary>RFC 7983's demultiplexing of STUN, DTLS and SRTP/SRTCP sharing one UDP port.</summary>
public static class PacketClassifier
{
    public static PacketKind Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
        {
            return PacketKind.Unknown;
        }

        byte first = datagram[0];
        if (first <= 3)
        {
            return PacketKind.Stun;
        }

        if (first is >= 20 and <= 63)
        {
            return PacketKind.Dtls;
        }

        if (first is >= 128 and <= 191)
        {
            // RFC 5761 §4: with rtcp-mux, RTP payload types 64–95 are avoided, so 192–223 in the second byte is RTCP.
            return datagram.Length >= 2 && datagram[1] is >= 192 and <= 223 ? PacketKind.Rtcp : PacketKind.Rtp;
        }

        return PacketKind.Unknown;
    }
}
