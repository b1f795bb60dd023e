using ConferenceCluster.Media.Codecs.G711;
using ConferenceCluster.Media.Codecs.Linear;
using ConferenceCluster.Media.Codecs.Opus;

namespace ConferenceCluster.Media.Codecs;

/// <summary>Creates the frame encoders and decoders of the media path from negotiated codec settings.</summary>
public static class AudioFrameCodecs
{
    public static IAudioFrameEncoder CreateEncoder(EncoderProfile profile) => profile.Codec switch
    {
        AudioCodec.Opus => new OpusFrameEncoder(profile),
        AudioCodec.Pcmu or AudioCodec.Pcma => new G711FrameEncoder(profile),
        AudioCodec.L16 => new L16FrameEncoder(profile),
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile.Codec, "Unknown codec."),
    };

    public static IAudioFrameDecoder CreateDecoder(AudioCodec codec) => codec switch
    {
        AudioCodec.Opus => new OpusFrameDecoder(),
        AudioCodec.Pcmu or AudioCodec.Pcma => new G711FrameDecoder(codec),
        AudioCodec.L16 => new L16FrameDecoder(),
        _ => throw new ArgumentOutOfRangeException(nameof(codec), codec, "Unknown codec."),
    };
}
