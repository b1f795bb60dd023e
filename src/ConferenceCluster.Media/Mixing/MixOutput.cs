using ConferenceCluster.Media.Codecs;

namespace ConferenceCluster.Media.Mixing;

/// <summary>What a <see cref="MixOutput"/> contains.</summary>
public enum MixOutputKind
{
    /// <summary>Every mixed voice: shared by all listeners of one codec group who are not in the speaker set.</summary>
    FullMix,
    /// <summary>Every mixed voice except one speaker's own: that speaker's private output (also a local backplane's).</summary>
    MixMinus,
    /// <summary>
    /// A geo backplane's output: every mixed voice except all that came in over geo backplanes, so a voice crosses at
    /// most one geo link (see <see cref="MixRole.GeoBackplane"/>).
    /// </summary>
    SplitHorizon,
}

/// <summary>
/// One encoded payload produced on a tick, plus the 48 kHz PCM it was encoded from. A <see cref="MixOutputKind.FullMix"/>
/// output is one object shared by every listener of its codec group (send the same bytes to all of them); a
/// <see cref="MixOutputKind.MixMinus"/> output belongs to one speaker. Objects and buffers are preallocated and
/// rewritten every tick: read or send them before the next <see cref="ConferenceMixer.Mix"/>.
/// </summary>
public sealed class MixOutput
{
    private readonly byte[] _encodedPayload = new byte[AudioFormat.MaxPayloadBytes];
    private readonly short[] _mixPcm;
    private int _encodedLength;
    private IAudioFrameEncoder? _deferredEncoder;

    internal MixOutput(MixOutputKind kind, EncoderProfile profile, MixerParticipantId? mixMinusOf, short[] mixPcm)
    {
        Kind = kind;
        Profile = profile;
        MixMinusOf = mixMinusOf;
        _mixPcm = mixPcm;
    }

    public MixOutputKind Kind { get; }

    /// <summary>The codec settings the payload was encoded with.</summary>
    public EncoderProfile Profile { get; }

    /// <summary>For <see cref="MixOutputKind.MixMinus"/> and <see cref="MixOutputKind.SplitHorizon"/>: the one listener who receives it (whose own input is left out).</summary>
    public MixerParticipantId? MixMinusOf { get; }

    /// <summary>The tick (<see cref="ConferenceMixer.TickCount"/>) this output was last produced in.</summary>
    public long Tick { get; private set; }

    /// <summary>Inputs summed into this output on its tick (the listener's own excluded for a mix-minus, every geo input for a split horizon); a backplane input counts as one.</summary>
    public int VoiceCount { get; private set; }

    /// <summary>
    /// The encoded payload (an RTP payload: Opus packet, G.711 or L16 bytes). A listener's own output (mix-minus, split
    /// horizon) is encoded on first read, by the thread that reads it: in a conference spread over several workers,
    /// the worker that sends it to its listener, so per-listener encodes spread over the workers.
    /// </summary>
    public ReadOnlySpan<byte> EncodedPayload
    {
        get
        {
            EncodeIfDeferred();
            return _encodedPayload.AsSpan(0, _encodedLength);
        }
    }

    /// <summary>The same payload as memory, for asynchronous sends; valid until the next tick.</summary>
    public ReadOnlyMemory<byte> EncodedPayloadMemory
    {
        get
        {
            EncodeIfDeferred();
            return _encodedPayload.AsMemory(0, _encodedLength);
        }
    }

    /// <summary>The 48 kHz mix that was encoded (shared by all full-mix outputs of a tick).</summary>
    public ReadOnlySpan<short> MixPcm => _mixPcm;

    internal void Encode(IAudioFrameEncoder encoder, ReadOnlySpan<short> mixPcm, long tick, int voiceCount)
    {
        _deferredEncoder = null;
        _encodedLength = encoder.Encode(mixPcm, _encodedPayload);
        Tick = tick;
        VoiceCount = voiceCount;
    }

    /// <summary>Records that <see cref="MixPcm"/> (this output's own PCM) is this tick's content, to encode when first read.</summary>
    internal void EncodeLater(IAudioFrameEncoder encoder, long tick, int voiceCount)
    {
        // A payload nobody read last tick was never encoded: its listener had nothing to send it with.
        _deferredEncoder = encoder;
        Tick = tick;
        VoiceCount = voiceCount;
    }

    private void EncodeIfDeferred()
    {
        if (_deferredEncoder is { } encoder)
        {
            _deferredEncoder = null;
            _encodedLength = encoder.Encode(_mixPcm, _encodedPayload);
        }
    }
}
