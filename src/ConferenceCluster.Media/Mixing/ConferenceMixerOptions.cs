using ConferenceCluster.Media.Codecs;

namespace ConferenceCluster.Media.Mixing;

/// <summary>Settings of one <see cref="ConferenceMixer"/>. Levels are in dBFS relative to a full-scale square wave (a full-scale sine is −3 dBFS).</summary>
public sealed class ConferenceMixerOptions
{
    /// <summary>
    /// N: at most this many voices are mixed per tick (default 4). Set it to the participant count to mix
    /// everybody (what Janus AudioBridge and FreeSWITCH do). At most <see cref="MaxMixedSpeakersLimit"/>.
    /// </summary>
    public int MaxMixedSpeakers { get; init; } = 4;

    /// <summary>
    /// A participant outside the speaker set displaces the quietest member only if its level is this much higher
    /// (default 3 dB, twice the energy). Stops two similar voices from swapping places every tick.
    /// </summary>
    public double SwitchMarginDb { get; init; } = 3.0;

    /// <summary>
    /// A member stays in the speaker set for at least this many ticks after entering it (default 10 = 200 ms),
    /// whatever the others do. Stops a burst from evicting a talker mid-word.
    /// </summary>
    public int MinimumHoldTicks { get; init; } = 10;

    /// <summary>
    /// Level below which a participant counts as silent (default −50 dBFS): it cannot enter the speaker set, and a
    /// member whose level has decayed below it leaves once its hold time is over.
    /// </summary>
    public double SilenceThresholdDbfs { get; init; } = -50.0;

    /// <summary>
    /// How fast a participant's speech level falls when its frames get quieter or stop (default 0.5 dB per tick,
    /// 25 dB per second); it rises at once with a louder frame. The slow release bridges the pauses between words.
    /// </summary>
    public double LevelReleaseDbPerTick { get; init; } = 0.5;

    /// <summary>
    /// An RFC 6464 level is a sender's claim. When a participant chosen by its level decodes this much quieter than it
    /// claimed (or an audited one this much louder), that is a strike (default 20 dB).
    /// </summary>
    public double LevelLieMarginDb { get; init; } = 20.0;

    /// <summary>Strikes in a row after which a participant's levels are ignored and its frames decoded like a sender without levels (default 5: 100 ms).</summary>
    public int LevelLieStrikes { get; init; } = 5;

    /// <summary>How long a participant's levels stay ignored after it lied (default 1500 ticks, 30 s); then they are tried again.</summary>
    public int LevelDistrustTicks { get; init; } = 1500;

    /// <summary>
    /// Participants outside the speaker set whose level says "quiet" that are decoded anyway each tick to check the
    /// claim (default 1, round robin): one claiming silence while talking loudly is found and its levels ignored.
    /// </summary>
    public int LevelAuditsPerTick { get; init; } = 1;

    /// <summary>Samples per frame at 48 kHz (default 960, 20 ms).</summary>
    public int FrameSamples { get; init; } = AudioFormat.MixFrameSamples;

    /// <summary>
    /// Creates the encoder for a speaker's own mix-minus or for a shared codec group. Defaults to the real codecs
    /// (<see cref="AudioFrameCodecs.CreateEncoder"/>); tests and the mixer-only benchmark substitute their own.
    /// </summary>
    public Func<EncoderProfile, IAudioFrameEncoder> EncoderFactory { get; init; } = AudioFrameCodecs.CreateEncoder;

    /// <summary>Upper bound of <see cref="MaxMixedSpeakers"/>, far inside the int32 bus's exact range.</summary>
    public const int MaxMixedSpeakersLimit = 1024;

    internal void Validate()
    {
        if (MaxMixedSpeakers is < 1 or > MaxMixedSpeakersLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxMixedSpeakers), MaxMixedSpeakers, $"Mix between 1 and {MaxMixedSpeakersLimit} speakers.");
        }

        if (SwitchMarginDb < 0 || double.IsNaN(SwitchMarginDb))
        {
            throw new ArgumentOutOfRangeException(nameof(SwitchMarginDb), SwitchMarginDb, "The switch margin is a non-negative number of dB.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MinimumHoldTicks);
        if (SilenceThresholdDbfs > 0 || double.IsNaN(SilenceThresholdDbfs))
        {
            throw new ArgumentOutOfRangeException(nameof(SilenceThresholdDbfs), SilenceThresholdDbfs, "The silence threshold is at most 0 dBFS.");
        }

        if (LevelReleaseDbPerTick < 0 || double.IsNaN(LevelReleaseDbPerTick))
        {
            throw new ArgumentOutOfRangeException(nameof(LevelReleaseDbPerTick), LevelReleaseDbPerTick, "The release rate is a non-negative number of dB per tick.");
        }

        if (FrameSamples <= 0 || FrameSamples % 120 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(FrameSamples), FrameSamples, "A 48 kHz frame is a positive multiple of 2.5 ms (120 samples).");
        }

        if (LevelLieMarginDb < 0 || double.IsNaN(LevelLieMarginDb))
        {
            throw new ArgumentOutOfRangeException(nameof(LevelLieMarginDb), LevelLieMarginDb, "The lie margin is a non-negative number of dB.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(LevelLieStrikes, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(LevelDistrustTicks);
        ArgumentOutOfRangeException.ThrowIfNegative(LevelAuditsPerTick);
        ArgumentNullException.ThrowIfNull(EncoderFactory);
    }
}
