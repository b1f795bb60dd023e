namespace ConferenceCluster.Media.Codecs;

/// <summary>
/// Encodes 48 kHz mono mix frames (<see cref="AudioFormat.MixFrameSamples"/> samples) into one codec's RTP
/// payloads. Stateful (Opus prediction, resampler history): one instance per outgoing stream or shared group.
/// </summary>
public interface IAudioFrameEncoder : IDisposable
{
    EncoderProfile Profile { get; }

    /// <summary>Encodes one 48 kHz frame.</summary>
    /// <param name="mixPcm">The mix (or mix-minus) to send, 48 kHz mono.</param>
    /// <param name="encodedPayload">Room for the payload; <see cref="AudioFormat.MaxPayloadBytes"/> always suffices.</param>
    /// <returns>Payload bytes written.</returns>
    int Encode(ReadOnlySpan<short> mixPcm, Span<byte> encodedPayload);
}
