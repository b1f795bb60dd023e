namespace ConferenceCluster.Media.Codecs;

/// <summary>The audio codecs a call leg can negotiate. Zero is deliberately no codec, so a <c>default</c> value is caught.</summary>
public enum AudioCodec
{
    /// <summary>Opus (RFC 6716/7587), 48 kHz, mono in our media path.</summary>
    Opus = 1,
    /// <summary>G.711 μ-law, RTP payload type 0, 8 kHz.</summary>
    Pcmu = 2,
    /// <summary>G.711 A-law, RTP payload type 8, 8 kHz.</summary>
    Pcma = 3,
    /// <summary>
    /// Linear 16-bit PCM, big-endian (RFC 3551 L16), mono at our 48 kHz mix clock: 960 samples = 1920 bytes per
    /// 20 ms. Used between our own nodes (backplanes), never offered to phones; dynamic payload type.
    /// </summary>
    L16 = 4,
}
