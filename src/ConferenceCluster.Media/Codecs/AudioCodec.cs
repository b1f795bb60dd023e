namespace ConferenceCluster.Media.Codecs;

/// <summary>The audio codecs a call leg can negotiate.</summary>
public enum AudioCodec
{
    /// <summary>Opus (RFC 6716/7587), 48 kHz, mono in our media path.</summary>
    Opus,
    /// <summary>G.711 μ-law, RTP payload type 0, 8 kHz.</summary>
    Pcmu,
    /// <summary>G.711 A-law, RTP payload type 8, 8 kHz.</summary>
    Pcma,
}
