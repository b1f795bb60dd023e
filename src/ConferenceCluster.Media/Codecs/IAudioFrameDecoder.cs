namespace ConferenceCluster.Media.Codecs;

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
