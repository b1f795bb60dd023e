using System.Buffers.Binary;

namespace ConferenceCluster.Media.Rtcp;

/// <summary>One reception report block of an SR or RR (RFC 3550 §6.4.1): what we saw of one source.</summary>
/// <param name="Ssrc">The source this block reports on.</param>
/// <param name="FractionLost">Lost fraction since the previous report, in 1/256.</param>
/// <param name="CumulativeLost">Cumulative packets lost, a 24-bit signed value.</param>
/// <param name="ExtendedHighestSequence">Cycles × 65536 + highest sequence number received.</param>
/// <param name="Jitter">Interarrival jitter in timestamp units.</param>
/// <param name="LastSenderReport">Middle 32 bits of the NTP timestamp of the last SR from this source (0 if none).</param>
/// <param name="DelaySinceLastSenderReport">Delay since that SR, in 1/65536 s.</param>
public readonly record struct RtcpReportBlock(
    uint Ssrc, byte FractionLost, int CumulativeLost, uint ExtendedHighestSequence, uint Jitter, uint LastSenderReport, uint DelaySinceLastSenderReport)
{
    public const int Length = 24;

    /// <summary>Fraction lost as a number between 0 and 1.</summary>
    public double FractionLostRatio => FractionLost / 256.0;

    internal void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, Ssrc);
        int lost = Math.Clamp(CumulativeLost, -0x800000, 0x7FFFFF);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ((uint)FractionLost << 24) | ((uint)lost & 0xFFFFFF));
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ExtendedHighestSequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], Jitter);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], LastSenderReport);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], DelaySinceLastSenderReport);
    }

    internal static RtcpReportBlock Read(ReadOnlySpan<byte> source)
    {
        uint lossWord = BinaryPrimitives.ReadUInt32BigEndian(source[4..]);
        int cumulative = (int)(lossWord << 8) >> 8; // sign-extend the 24-bit field
        return new RtcpReportBlock(
            BinaryPrimitives.ReadUInt32BigEndian(source),
            (byte)(lossWord >> 24),
            cumulative,
            BinaryPrimitives.ReadUInt32BigEndian(source[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[20..]));
    }
}

/// <summary>The sender information of an SR (RFC 3550 §6.4.1).</summary>
public readonly record struct RtcpSenderInfo(uint Ssrc, ulong NtpTimestamp, uint RtpTimestamp, uint PacketCount, uint OctetCount)
{
    /// <summary>The middle 32 bits of the NTP timestamp: what a receiver echoes as LSR.</summary>
    public uint CompactNtp => (uint)(NtpTimestamp >> 16);

    /// <summary>An NTP timestamp (seconds since 1900 in the high word, fraction in the low word) from a UTC time.</summary>
    public static ulong ToNtp(DateTimeOffset utc)
    {
        TimeSpan sinceEpoch = utc - NtpEpoch;
        ulong seconds = (ulong)sinceEpoch.Ticks / TimeSpan.TicksPerSecond;
        ulong fractionTicks = (ulong)sinceEpoch.Ticks % TimeSpan.TicksPerSecond;
        return (seconds << 32) | (fractionTicks << 32) / TimeSpan.TicksPerSecond;
    }

    private static readonly DateTimeOffset NtpEpoch = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);
}
