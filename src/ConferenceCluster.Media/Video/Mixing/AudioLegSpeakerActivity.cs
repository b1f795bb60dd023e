using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Video.Mixing;

/// <summary>A participant's audio leg as <see cref="ISpeakerActivity"/>: the level its conference's mixer published last tick.</summary>
public sealed class AudioLegSpeakerActivity(MediaParticipant audioLeg) : ISpeakerActivity
{
    public MediaParticipant AudioLeg { get; } = audioLeg ?? throw new ArgumentNullException(nameof(audioLeg));

    public double SpeechLevelDbfs => AudioLeg.SpeechLevelDbfs;
}
