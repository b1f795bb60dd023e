namespace ConferenceCluster.Media.Mixing;

/// <summary>
/// The media worker's id for one call leg in one conference mixer (for example its RTP session index). Unique
/// within a mixer; a value type so lookups on the tick allocate nothing.
/// </summary>
public readonly record struct MixerParticipantId(int Value)
{
    public override string ToString() => "p" + Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
