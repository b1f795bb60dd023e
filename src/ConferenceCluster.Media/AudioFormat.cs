namespace ConferenceCluster.Media;

/// <summary>
/// The one internal audio format of the media path: every decoder delivers, the mixer mixes and every
/// encoder consumes 48 kHz mono signed 16-bit PCM in 20 ms frames. Codecs at other rates (G.711 at 8 kHz)
/// resample at their own edge so the mix bus never has to.
/// </summary>
public static class AudioFormat
{
    /// <summary>Sample rate of decoded frames, the mix bus and the PCM handed to encoders.</summary>
    public const int MixSampleRate = 48_000;

    /// <summary>Frame duration of one mixer tick.</summary>
    public const int FrameMilliseconds = 20;

    /// <summary>Samples in one 20 ms mono frame at <see cref="MixSampleRate"/> (960).</summary>
    public const int MixFrameSamples = MixSampleRate / 1000 * FrameMilliseconds;

    /// <summary>Sample rate of G.711 payloads.</summary>
    public const int NarrowbandSampleRate = 8_000;

    /// <summary>Samples in one 20 ms G.711 frame (160), which is also its payload size in bytes.</summary>
    public const int NarrowbandFrameSamples = NarrowbandSampleRate / 1000 * FrameMilliseconds;

    /// <summary>
    /// Largest Opus packet for one frame (RFC 6716 §3.2.1: at most 1275 bytes per frame); payload buffers are
    /// sized to this so an encode can never fail for lack of room.
    /// </summary>
    public const int MaxEncodedFrameBytes = 1275;

    /// <summary>Bytes of one 20 ms L16 frame (960 samples × 2): the largest payload of any codec we send.</summary>
    public const int L16FrameBytes = MixFrameSamples * sizeof(short);

    /// <summary>
    /// Largest RTP payload of one 20 ms frame in any of our codecs (L16's 1920 bytes): payload buffers of the mixer,
    /// the sender and the jitter buffer are sized to this.
    /// </summary>
    public const int MaxPayloadBytes = L16FrameBytes;
}
