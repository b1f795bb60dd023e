using System.Security.Cryptography;
using ConferenceCluster.Media.Codecs;

namespace ConferenceCluster.Media.Rtp;

/// <summary>
/// Sequence number, timestamp and SSRC of one outgoing RTP stream. Initial values are random (RFC 3550 §5.1:
/// makes known-plaintext attacks on encryption harder and avoids confusing a restarted stream with the old one);
/// each 20 ms frame advances the sequence by one and the timestamp by the frame's samples at the payload clock.
/// </summary>
public sealed class RtpSendState
{
    public RtpSendState(int clockRate, int samplesPerFrame, uint? ssrc = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samplesPerFrame);
        ClockRate = clockRate;
        SamplesPerFrame = samplesPerFrame;
        Ssrc = ssrc ?? RandomUInt32();
        NextSequence = (ushort)RandomUInt32();
        NextTimestamp = RandomUInt32();
    }

    /// <summary>The RTP clock and 20 ms frame size of a codec: Opus 48000/960 (RFC 7587 §4.1), L16 at our 48000/960, G.711 8000/160.</summary>
    public static RtpSendState ForCodec(AudioCodec codec, uint? ssrc = null) => codec switch
    {
        AudioCodec.Opus or AudioCodec.L16 => new RtpSendState(AudioFormat.MixSampleRate, AudioFormat.MixFrameSamples, ssrc),
        AudioCodec.Pcmu or AudioCodec.Pcma => new RtpSendState(AudioFormat.NarrowbandSampleRate, AudioFormat.NarrowbandFrameSamples, ssrc),
        _ => throw new ArgumentOutOfRangeException(nameof(codec), codec, "Unknown codec."),
    };

    public int ClockRate { get; }

    public int SamplesPerFrame { get; }

    public uint Ssrc { get; }

    public ushort NextSequence { get; private set; }

    public uint NextTimestamp { get; private set; }

    /// <summary>RTP timestamp of the last packet sent (for a sender report).</summary>
    public uint LastTimestamp { get; private set; }

    /// <summary>Packets sent (sender report's packet count).</summary>
    public long PacketCount { get; private set; }

    /// <summary>Payload octets sent (sender report's octet count).</summary>
    public long OctetCount { get; private set; }

    /// <summary>Set after a gap in sending so the next packet carries the marker bit (start of a talkspurt).</summary>
    public bool MarkNext { get; set; } = true;

    /// <summary>Writes the header of the next frame's packet and advances the stream.</summary>
    /// <returns>Header bytes written (12).</returns>
    public int WriteNextHeader(Span<byte> destination, byte payloadType, int payloadLength)
    {
        int written = RtpHeader.WriteFixed(destination, MarkNext, payloadType, NextSequence, NextTimestamp, Ssrc);
        MarkNext = false;
        LastTimestamp = NextTimestamp;
        NextSequence++;
        NextTimestamp += (uint)SamplesPerFrame;
        PacketCount++;
        OctetCount += payloadLength;
        return written;
    }

    /// <summary>A frame's worth of time passes without a packet (e.g. DTX): the timestamp still advances.</summary>
    public void SkipFrame()
    {
        NextTimestamp += (uint)SamplesPerFrame;
        MarkNext = true;
    }

    private static uint RandomUInt32()
    {
        Span<byte> bytes = stackalloc byte[4];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt32(bytes);
    }
}
