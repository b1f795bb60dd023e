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
    /// <param name="encodedPayload">Room for the payload; <see cref="AudioFormat.MaxEncodedFrameBytes"/> always suffices.</param>
    /// <returns>Payload bytes written.</returns>
    int Encode(ReadOnlySpan<short> mixPcm, Span<byte> encodedPayload);
}

/// <summary>Decodes one codec's RTP payloads into 48 kHz mono frames for the mixer. One instance per incoming stream.</summary>
public interface IAudioFrameDecoder : IDisposable
{
    AudioCodec Codec { get; }

    /// <summary>Decodes one payload into <paramref name="decodedFrame"/> (48 kHz mono).</summary>
    /// <returns>Samples written; 0 if the payload was corrupt (the caller then conceals, as for a loss).</returns>
    int Decode(ReadOnlySpan<byte> payload, Span<short> decodedFrame);

    /// <summary>Fills <paramref name="decodedFrame"/> for a lost packet (Opus PLC; G.711 fades to silence).</summary>
    /// <returns>Samples written.</returns>
    int Conceal(Span<short> decodedFrame);
}
