using ConferenceCluster.Media.Codecs.Resampling;

namespace ConferenceCluster.Media.Codecs.G711;

/// <summary>
/// G.711 encoder of 48 kHz mix frames: anti-aliased down to 8 kHz (<see cref="Downsampler48kTo8k"/>), then
/// μ-law or A-law, one byte per 8 kHz sample (160 bytes per 20 ms).
/// </summary>
public sealed class G711FrameEncoder : IAudioFrameEncoder
{
    private readonly Downsampler48kTo8k _downsampler = new();
    private readonly short[] _narrowbandPcm = new short[AudioFormat.NarrowbandFrameSamples];
    private readonly bool _muLaw;

    public G711FrameEncoder(EncoderProfile profile)
    {
        if (profile.Codec is not (AudioCodec.Pcmu or AudioCodec.Pcma))
        {
            throw new ArgumentException($"Not a G.711 profile: {profile}.", nameof(profile));
        }

        Profile = profile;
        _muLaw = profile.Codec == AudioCodec.Pcmu;
    }

    public EncoderProfile Profile { get; }

    public int Encode(ReadOnlySpan<short> mixPcm, Span<byte> encodedPayload)
    {
        int payloadBytes = mixPcm.Length / TelephonyBandFilter.Factor;
        if (encodedPayload.Length < payloadBytes)
        {
            throw new ArgumentException($"The G.711 payload needs {payloadBytes} bytes but has {encodedPayload.Length}.", nameof(encodedPayload));
        }

        // Frames longer than 20 ms go through the scratch buffer a frame at a time.
        int written = 0;
        while (!mixPcm.IsEmpty)
        {
            int wideband = Math.Min(mixPcm.Length, AudioFormat.MixFrameSamples);
            Span<short> narrowband = _narrowbandPcm.AsSpan(0, wideband / TelephonyBandFilter.Factor);
            _downsampler.Process(mixPcm[..wideband], narrowband);
            if (_muLaw)
            {
                G711MuLaw.Encode(narrowband, encodedPayload[written..]);
            }
            else
            {
                G711ALaw.Encode(narrowband, encodedPayload[written..]);
            }

            written += narrowband.Length;
            mixPcm = mixPcm[wideband..];
        }

        return written;
    }

    public void Dispose() { }
}

/// <summary>
/// G.711 decoder of one incoming stream: μ-law or A-law to 8 kHz linear, then <see cref="Upsampler8kTo48k"/>
/// to 48 kHz. G.711 has no concealment of its own (G.711 Appendix I is not implemented): a loss is filled by
/// running silence through the upsampler, which fades the last samples out smoothly instead of clicking.
/// </summary>
public sealed class G711FrameDecoder : IAudioFrameDecoder
{
    private readonly Upsampler8kTo48k _upsampler = new();
    private readonly short[] _narrowbandPcm = new short[AudioFormat.NarrowbandFrameSamples];

    public G711FrameDecoder(AudioCodec codec)
    {
        if (codec is not (AudioCodec.Pcmu or AudioCodec.Pcma))
        {
            throw new ArgumentOutOfRangeException(nameof(codec), codec, "Not a G.711 codec.");
        }

        Codec = codec;
    }

    public AudioCodec Codec { get; }

    public int Decode(ReadOnlySpan<byte> payload, Span<short> decodedFrame)
    {
        int needed = payload.Length * TelephonyBandFilter.Factor;
        if (decodedFrame.Length < needed)
        {
            throw new ArgumentException($"A {payload.Length}-byte G.711 payload decodes to {needed} samples at 48 kHz; the frame has {decodedFrame.Length}.", nameof(decodedFrame));
        }

        int written = 0;
        while (!payload.IsEmpty)
        {
            int count = Math.Min(payload.Length, _narrowbandPcm.Length);
            Span<short> narrowband = _narrowbandPcm.AsSpan(0, count);
            if (Codec == AudioCodec.Pcmu)
            {
                G711MuLaw.Decode(payload[..count], narrowband);
            }
            else
            {
                G711ALaw.Decode(payload[..count], narrowband);
            }

            _upsampler.Process(narrowband, decodedFrame.Slice(written, count * TelephonyBandFilter.Factor));
            written += count * TelephonyBandFilter.Factor;
            payload = payload[count..];
        }

        return written;
    }

    /// <summary>
    /// Conceals one lost frame by repeating the last good payload with a linear fade to zero, applied at 8 kHz
    /// before the upsampler so that its history (and the <see cref="Conceal"/> that may follow) ends at zero too.
    /// A cheap stand-in for G.711 Appendix I: good for one frame, after which callers fall back to silence.
    /// </summary>
    /// <param name="lastPayload">The last payload received, at most one 20 ms frame (160 bytes).</param>
    /// <returns>Samples written (six per payload byte).</returns>
    public int ConcealByRepeat(ReadOnlySpan<byte> lastPayload, Span<short> decodedFrame)
    {
        int count = Math.Min(lastPayload.Length, _narrowbandPcm.Length);
        if (decodedFrame.Length < count * TelephonyBandFilter.Factor)
        {
            throw new ArgumentException($"A {count}-byte G.711 payload decodes to {count * TelephonyBandFilter.Factor} samples at 48 kHz; the frame has {decodedFrame.Length}.", nameof(decodedFrame));
        }

        Span<short> narrowband = _narrowbandPcm.AsSpan(0, count);
        if (Codec == AudioCodec.Pcmu)
        {
            G711MuLaw.Decode(lastPayload[..count], narrowband);
        }
        else
        {
            G711ALaw.Decode(lastPayload[..count], narrowband);
        }

        for (int i = 0; i < count; i++)
        {
            narrowband[i] = (short)(narrowband[i] * (count - 1 - i) / count);
        }

        _upsampler.Process(narrowband, decodedFrame[..(count * TelephonyBandFilter.Factor)]);
        return count * TelephonyBandFilter.Factor;
    }

    public int Conceal(Span<short> decodedFrame)
    {
        int narrowbandSamples = decodedFrame.Length / TelephonyBandFilter.Factor;
        int written = 0;
        while (narrowbandSamples > 0)
        {
            int count = Math.Min(narrowbandSamples, _narrowbandPcm.Length);
            Span<short> silence = _narrowbandPcm.AsSpan(0, count);
            silence.Clear();
            _upsampler.Process(silence, decodedFrame.Slice(written, count * TelephonyBandFilter.Factor));
            written += count * TelephonyBandFilter.Factor;
            narrowbandSamples -= count;
        }

        return written;
    }

    public void Dispose() { }
}
