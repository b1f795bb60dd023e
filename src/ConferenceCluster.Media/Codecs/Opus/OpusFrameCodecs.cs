using Concentus;

namespace ConferenceCluster.Media.Codecs.Opus;

/// <summary>
/// Opus 48 kHz mono encoder of mix frames (Concentus, on <see cref="OpusCodecs.Implementation"/>), configured from an
/// <see cref="EncoderProfile"/>: VOIP application, voice signal.
/// </summary>
public sealed class OpusFrameEncoder : IAudioFrameEncoder
{
    private readonly IOpusEncoder _encoder;

    public OpusFrameEncoder(EncoderProfile profile)
        : this(profile, OpusCodecs.Implementation.Path)
    {
    }

    internal OpusFrameEncoder(EncoderProfile profile, OpusCodecPath path)
    {
        if (profile.Codec != AudioCodec.Opus)
        {
            throw new ArgumentException($"Not an Opus profile: {profile}.", nameof(profile));
        }

        Profile = profile;
        _encoder = OpusCodecs.CreateEncoder(path, AudioFormat.MixSampleRate, 1, Concentus.Enums.OpusApplication.OPUS_APPLICATION_VOIP);
        profile.ApplyTo(_encoder);
    }

    public EncoderProfile Profile { get; }

    /// <exception cref="ArgumentException">Not a 20 ms frame, or a payload buffer too small for any packet.</exception>
    public int Encode(ReadOnlySpan<short> mixPcm, Span<byte> encodedPayload)
    {
        if (mixPcm.Length != AudioFormat.MixFrameSamples)
        {
            throw new ArgumentException($"An Opus frame here is {AudioFormat.MixFrameSamples} samples (20 ms at 48 kHz), not {mixPcm.Length}.", nameof(mixPcm));
        }

        int capacity = Math.Min(encodedPayload.Length, AudioFormat.MaxEncodedFrameBytes);
        int bytes = _encoder.Encode(mixPcm, AudioFormat.MixFrameSamples, encodedPayload, capacity);
        if (bytes < 0)
        {
            throw new ArgumentException($"Opus could not encode into {capacity} bytes (error {bytes}).", nameof(encodedPayload));
        }

        return bytes;
    }

    public void Dispose() => _encoder.Dispose();
}

/// <summary>
/// Opus decoder of one incoming stream into 48 kHz mono frames (Concentus, on <see cref="OpusCodecs.Implementation"/>).
/// Bad packets from the network never throw: they decode to 0 samples and the caller conceals them as losses.
/// </summary>
public sealed class OpusFrameDecoder : IAudioFrameDecoder
{
    private readonly IOpusDecoder _decoder;

    public OpusFrameDecoder()
        : this(OpusCodecs.Implementation.Path)
    {
    }

    internal OpusFrameDecoder(OpusCodecPath path) => _decoder = OpusCodecs.CreateDecoder(path, AudioFormat.MixSampleRate, 1);

    public AudioCodec Codec => AudioCodec.Opus;

    /// <returns>Samples written (up to the packet's duration, at most <paramref name="decodedFrame"/>'s length); 0 for a corrupt packet.</returns>
    public int Decode(ReadOnlySpan<byte> payload, Span<short> decodedFrame) =>
        payload.IsEmpty ? 0 : Run(payload, decodedFrame, decodedFrame.Length, fec: false);

    /// <summary>Packet-loss concealment (Opus PLC): continues the signal from the decoder's state, fading on repeats.</summary>
    public int Conceal(Span<short> decodedFrame) => Run(default, decodedFrame, decodedFrame.Length, fec: false);

    /// <summary>
    /// Rebuilds a lost frame from the in-band FEC of the packet that follows it (libopus conceals instead if that
    /// packet carries none). Decode <paramref name="nextPayload"/> itself normally on the next tick.
    /// </summary>
    /// <returns>False when the next packet is corrupt (then conceal).</returns>
    public bool TryRecoverFromFec(ReadOnlySpan<byte> nextPayload, Span<short> lostFrame) =>
        !nextPayload.IsEmpty && Run(nextPayload, lostFrame, lostFrame.Length, fec: true) > 0;

    /// <summary>Forgets the stream's history (its source changed).</summary>
    public void Reset() => _decoder.ResetState();

    public void Dispose() => _decoder.Dispose();

    private int Run(ReadOnlySpan<byte> payload, Span<short> frame, int frameSize, bool fec)
    {
        try
        {
            // Native: libopus returns a negative error code. Managed: the port throws for what libopus rejects.
            int samples = _decoder.Decode(payload, frame, frameSize, fec);
            return Math.Max(0, samples);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            return 0;
        }
    }
}
