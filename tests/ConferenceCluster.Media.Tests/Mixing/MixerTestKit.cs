using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Tests.Support;

namespace ConferenceCluster.Media.Tests.Mixing;

/// <summary>Shorthands for mixer tests: ids, constant-level frames, and looking up a listener's output.</summary>
internal static class MixerTestKit
{
    public const int FrameSamples = AudioFormat.MixFrameSamples;

    public static MixerParticipantId P(int value) => new(value);

    /// <summary>A constant-valued frame: its level is value²/32768², and sums are easy to check by eye.</summary>
    public static short[] Level(short value) => Signals.Constant(FrameSamples, value);

    public static MixOutput OutputOf(MixTickResult tick, MixerParticipantId listener)
    {
        foreach (ListenerOutput output in tick.ListenerOutputs)
        {
            if (output.Listener == listener)
            {
                return output.Output;
            }
        }

        throw new InvalidOperationException($"No output for {listener}.");
    }

    public static MixerParticipantId[] SpeakerSet(MixTickResult tick) => tick.SpeakerSet.ToArray();

    public static (ConferenceMixer Mixer, RecordingEncoderFactory Encoders) CreateRecordingMixer(
        int participants, int maxMixedSpeakers = 4, int minimumHoldTicks = 10, double switchMarginDb = 3.0)
    {
        var encoders = new RecordingEncoderFactory();
        var mixer = new ConferenceMixer(new ConferenceMixerOptions
        {
            MaxMixedSpeakers = maxMixedSpeakers,
            MinimumHoldTicks = minimumHoldTicks,
            SwitchMarginDb = switchMarginDb,
            EncoderFactory = encoders.Create,
        });
        for (int i = 1; i <= participants; i++)
        {
            mixer.AddParticipant(P(i), EncoderProfile.OpusVoice);
        }

        return (mixer, encoders);
    }
}
