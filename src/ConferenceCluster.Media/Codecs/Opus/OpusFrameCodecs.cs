namespace ConferenceCluster.Media.Codecs.Opus;

/// <summary>Opus 48 kHz mono encoder of mix frames, configured from an <see cref="EncoderProfile"/> (VOIP, voice signal).</summary>
public sealed class OpusFrameEncoder : IAudioFrameEncoder
{
    private readonly OpusEncoder _encoder;

    public OpusFrameEncoder(EncoderProfile profile)
    {
        if (profile.Codec != AudioCodec.Opus)
        {
            throw new ArgumentException($"Not an Opus profile: {profile}.", nameof(profile));
        }

        Profile = profile;
        _encoder = new OpusEncoder(AudioFormat.MixSampleRate, 1, OpusApplication.Voip);
        try
        {
            profile.ApplyTo(_encoder);
        }
        catch
        {
            _encoder.Dispose();
            throw;
        }
    }

    public EncoderProfile Profile { get; }

    public int Encode(ReadOnlySpan<short> mixPcm, Span<byte> encodedPayload) => _encoder.Encode(mixPcm, encodedPayload);

    public void Dispose() => _encoder.Dispose();
}

/// <summary>Opus decoder of one incoming stream into 48 kHz mono frames.</summary>
public sealed class OpusFrameDecoder : IAudioFrameDecoder
{
    private readonly OpusDecoder _decoder = new(AudioFormat.MixSampleRate, 1);

    public AudioCodec Codec => AudioCodec.Opus;

    public int Decode(ReadOnlySpan<byte> payload, Span<short> decodedFrame) =>
        _decoder.TryDecode(payload, decodedFrame, out int samples, out _) ? samples : 0;

    public int Conceal(Span<short> decodedFrame) => _decoder.Conceal(decodedFrame);

    /// <summary>
    /// Rebuilds a lost frame from the in-band FEC of the packet that follows it (libopus conceals instead if that
    /// packet carries none). Decode <paramref name="nextPayload"/> itself normally on the next tick.
    /// </summary>
    public int RecoverFromFec(ReadOnlySpan<byte> nextPayload, Span<short> lostFrame) => _decoder.DecodeFec(nextPayload, lostFrame);

    /// <summary>Forgets the stream's history (its source changed).</summary>
    public void Reset() => _decoder.ResetState();

    public void Dispose() => _decoder.Dispose();
}
