using Concentus;

namespace ConferenceCluster.Media.Codecs;

/// <summary>
/// Everything that determines the bytes an encoder produces from a given mix. Two listeners with equal profiles
/// can be sent the very same encoded payload, so the mixer groups non-speaking listeners by this value and
/// encodes once per group. Build it with <see cref="ForOpus"/>, <see cref="Pcmu"/> or <see cref="Pcma"/>: the
/// factories leave the Opus-only fields at zero for G.711 so equal-sounding profiles compare equal.
/// </summary>
public readonly record struct EncoderProfile
{
    private EncoderProfile(AudioCodec codec, int bitrateBps, int complexity, bool inbandFec, int packetLossPercent, bool dtx)
    {
        Codec = codec;
        BitrateBps = bitrateBps;
        Complexity = complexity;
        InbandFec = inbandFec;
        PacketLossPercent = packetLossPercent;
        Dtx = dtx;
    }

    /// <summary>Opus complexity Janus AudioBridge uses by default; our default too, so comparisons are like for like.</summary>
    public const int DefaultOpusComplexity = 4;

    public AudioCodec Codec { get; }

    /// <summary>Opus target bitrate in bit/s; 0 lets libopus decide (about 51 kbit/s for 48 kHz mono voice).</summary>
    public int BitrateBps { get; }

    /// <summary>Opus complexity 0–10.</summary>
    public int Complexity { get; }

    /// <summary>Opus in-band FEC (LBRR) for the listener's decoder to recover single losses.</summary>
    public bool InbandFec { get; }

    /// <summary>Opus expected loss 0–100 %; FEC only takes effect when this is non-zero.</summary>
    public int PacketLossPercent { get; }

    /// <summary>Opus discontinuous transmission.</summary>
    public bool Dtx { get; }

    /// <summary>G.711 μ-law.</summary>
    public static EncoderProfile Pcmu { get; } = new(AudioCodec.Pcmu, 0, 0, false, 0, false);

    /// <summary>G.711 A-law.</summary>
    public static EncoderProfile Pcma { get; } = new(AudioCodec.Pcma, 0, 0, false, 0, false);

    /// <summary>L16 (linear PCM, 48 kHz mono): has no settings, so one profile.</summary>
    public static EncoderProfile L16 { get; } = new(AudioCodec.L16, 0, 0, false, 0, false);

    /// <summary>
    /// Opus for a backplane between nodes: the link carries a pre-mixed aggregate of many voices that is decoded,
    /// mixed and encoded again at every hop, so it gets a high fixed bitrate (little generation loss), in-band FEC
    /// (a lost backplane packet silences a whole node for the others) and no DTX (a pause at one node is not
    /// silence for the aggregate).
    /// </summary>
    public static EncoderProfile OpusBackplane { get; } = ForOpus(bitrateBps: BackplaneOpusBitrateBps, complexity: DefaultOpusComplexity, inbandFec: true, packetLossPercent: 1, dtx: false);

    /// <summary>Bitrate of <see cref="OpusBackplane"/>: 96 kbit/s, where 48 kHz mono Opus is transparent for speech mixes.</summary>
    public const int BackplaneOpusBitrateBps = 96_000;

    /// <summary>Opus 48 kHz mono voice with the Janus-like defaults (auto bitrate, complexity 4, no FEC, no DTX).</summary>
    public static EncoderProfile OpusVoice { get; } = ForOpus();

    /// <summary>An Opus profile. Values are validated here, at join, not on the tick.</summary>
    public static EncoderProfile ForOpus(int bitrateBps = 0, int complexity = DefaultOpusComplexity, bool inbandFec = false, int packetLossPercent = 0, bool dtx = false)
    {
        if (bitrateBps != 0 && (bitrateBps < 500 || bitrateBps > 512_000))
        {
            throw new ArgumentOutOfRangeException(nameof(bitrateBps), bitrateBps, "Opus bitrate is 500–512000 bit/s, or 0 for automatic.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(complexity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(complexity, 10);
        ArgumentOutOfRangeException.ThrowIfNegative(packetLossPercent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(packetLossPercent, 100);
        return new EncoderProfile(AudioCodec.Opus, bitrateBps, complexity, inbandFec, packetLossPercent, dtx);
    }

    public override string ToString() => Codec == AudioCodec.Opus
        ? $"Opus(bitrate={(BitrateBps == 0 ? "auto" : BitrateBps.ToString(System.Globalization.CultureInfo.InvariantCulture))}, complexity={Complexity}, fec={InbandFec}, loss={PacketLossPercent}%, dtx={Dtx})"
        : Codec.ToString();

    /// <summary>libopus's OPUS_AUTO: let the encoder choose the bitrate.</summary>
    private const int OpusBitrateAuto = -1000;

    /// <summary>Applies the Opus fields to an encoder.</summary>
    internal void ApplyTo(IOpusEncoder encoder)
    {
        encoder.SignalType = Concentus.Enums.OpusSignal.OPUS_SIGNAL_VOICE;
        encoder.Bitrate = BitrateBps == 0 ? OpusBitrateAuto : BitrateBps;
        encoder.Complexity = Complexity;
        encoder.UseInbandFEC = InbandFec;
        encoder.PacketLossPercent = PacketLossPercent;
        encoder.UseDTX = Dtx;
    }
}
