using ConferenceCluster.Media.Codecs;

namespace ConferenceCluster.Media.Mixing;

/// <summary>
/// Everything the mixer keeps for one participant, allocated once at join so that a tick allocates nothing: the
/// decoded frame of this tick, its level, speaker-set membership, and the participant's own encoder, mix-minus
/// PCM and payload (used while it is in the speaker set, and on every tick by a backplane).
/// </summary>
internal sealed class MixParticipant : IDisposable
{
    internal MixParticipant(MixerParticipantId id, MixRole role, EncoderProfile profile, CodecGroup? group, IAudioFrameEncoder ownEncoder, int frameSamples)
    {
        Id = id;
        Role = role;
        Group = group;
        OwnEncoder = ownEncoder;
        DecodedFrame = new short[frameSamples];
        MixMinusPcm = new short[frameSamples];
        MixOutputKind ownKind = role == MixRole.GeoBackplane ? MixOutputKind.SplitHorizon : MixOutputKind.MixMinus;
        MixMinusOutput = new MixOutput(ownKind, profile, id, MixMinusPcm);
    }

    public MixerParticipantId Id { get; }

    public MixRole Role { get; }

    /// <summary>The codec group an endpoint listens in when it is not a speaker; null for a backplane, which never shares.</summary>
    public CodecGroup? Group { get; }

    /// <summary>Encodes this participant's own output: an endpoint's mix-minus while it is a speaker, a backplane's always.</summary>
    public IAudioFrameEncoder OwnEncoder { get; }

    /// <summary>The 48 kHz frame submitted this tick (valid while <see cref="HasFrame"/>).</summary>
    public short[] DecodedFrame { get; }

    /// <summary>Whether a frame was submitted since the last tick.</summary>
    public bool HasFrame { get; set; }

    /// <summary>
    /// The frame was submitted by its level only (<see cref="ConferenceMixer.SubmitLevel"/>) and is not decoded yet:
    /// <see cref="FrameLevel"/> is the sender's claim until it is.
    /// </summary>
    public bool FramePending { get; set; }

    /// <summary>The level the sender claimed for the pending frame (mean square relative to full scale).</summary>
    public double ClaimedLevel { get; set; }

    /// <summary>Consecutive frames whose decoded level contradicted the claimed one by more than the lie margin.</summary>
    public int LevelStrikes { get; set; }

    /// <summary>Until this tick the participant's levels are ignored (it lied); 0 when they are trusted.</summary>
    public long LevelsDistrustedUntilTick { get; set; }

    /// <summary>Mean square of this tick's frame, relative to full scale (1.0 = full-scale square wave).</summary>
    public double FrameLevel { get; set; }

    /// <summary>Smoothed level used for speaker selection: instant attack, slow release.</summary>
    public double SpeechLevel { get; set; }

    public bool InSpeakerSet { get; set; }

    /// <summary>Ticks since this participant entered the speaker set.</summary>
    public int TicksInSpeakerSet { get; set; }

    /// <summary>Everyone-but-me (for a geo backplane, everything but the geo inputs), computed when this participant gets its own output.</summary>
    public short[] MixMinusPcm { get; }

    public MixOutput MixMinusOutput { get; }

    public void Dispose() => OwnEncoder.Dispose();
}
