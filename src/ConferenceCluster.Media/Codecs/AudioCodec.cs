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
}
