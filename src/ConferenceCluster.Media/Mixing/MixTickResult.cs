namespace ConferenceCluster.Media.Mixing;

/// <summary>
/// The result of one <see cref="ConferenceMixer.Mix"/>: a view over the mixer's preallocated arrays, valid until
/// the next tick. A ref struct so it cannot be kept past that by accident.
/// </summary>
public readonly ref struct MixTickResult
{
    internal MixTickResult(long tick, ReadOnlySpan<ListenerOutput> listenerOutputs, ReadOnlySpan<MixerParticipantId> speakerSet, int mixedVoices, int encodeCount)
    {
        Tick = tick;
        ListenerOutputs = listenerOutputs;
        SpeakerSet = speakerSet;
        MixedVoices = mixedVoices;
        EncodeCount = encodeCount;
    }

    /// <summary>The tick number, from 1.</summary>
    public long Tick { get; }

    /// <summary>One entry per participant, in join order: the output to send to it.</summary>
    public ReadOnlySpan<ListenerOutput> ListenerOutputs { get; }

    /// <summary>The speaker set after this tick's selection (members may have sent no frame this tick).</summary>
    public ReadOnlySpan<MixerParticipantId> SpeakerSet { get; }

    /// <summary>Voices actually summed into the mix bus this tick (speaker-set members that sent a frame).</summary>
    public int MixedVoices { get; }

    /// <summary>Encodes performed this tick: one per speaker-set member plus one per codec group with a non-speaker listener.</summary>
    public int EncodeCount { get; }
}
