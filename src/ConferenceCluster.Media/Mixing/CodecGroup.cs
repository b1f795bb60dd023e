using ConferenceCluster.Media.Codecs;

namespace ConferenceCluster.Media.Mixing;

/// <summary>
/// All participants that negotiated the same <see cref="EncoderProfile"/>. Those among them who are not speakers
/// on a tick hear the same full mix, encoded once by the group's encoder into one shared <see cref="MixOutput"/>.
/// </summary>
internal sealed class CodecGroup : IDisposable
{
    internal CodecGroup(EncoderProfile profile, IAudioFrameEncoder encoder, short[] fullMixPcm)
    {
        Profile = profile;
        Encoder = encoder;
        FullMixOutput = new MixOutput(MixOutputKind.FullMix, profile, null, fullMixPcm);
    }

    public EncoderProfile Profile { get; }

    public IAudioFrameEncoder Encoder { get; }

    public MixOutput FullMixOutput { get; }

    /// <summary>Participants with this profile, speakers included.</summary>
    public int MemberCount { get; set; }

    /// <summary>Members who are not in the speaker set on the current tick.</summary>
    public int SharedListenersThisTick { get; set; }

    public void Dispose() => Encoder.Dispose();
}
