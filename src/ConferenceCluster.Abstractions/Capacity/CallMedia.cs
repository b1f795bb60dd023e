using ConferenceCluster.Conferencing.Configuration;

namespace ConferenceCluster.Conferencing.Capacity;

/// <summary>The video codec of a call, which changes its transcoding cost (R57, L1181).</summary>
[GenerateSerializer, Alias("cc.VideoCodec")]
public enum VideoCodec
{
    H264,
    /// <summary>Same resource as H.264 (L1181).</summary>
    Vp8,
    /// <summary>About 25% more than H.264: 1.25 HD at 720p, 2.5 HD at 1080p (L1181).</summary>
    Vp9,
}

/// <summary>
/// What a call asks of the media node: audio only or video, how far the endpoint itself can go, its codec, and
/// the WebRTC presentation channels that cost extra (L1181). The conference's settings may lower all of these.
/// </summary>
/// <param name="AudioOnly">The call has no video (an audio-only endpoint or a call that declined video).</param>
/// <param name="EndpointMaximumQuality">The best resolution the endpoint offers; <c>null</c> = whatever the conference allows.</param>
/// <param name="SendsPresentation">A WebRTC client sending presentation: +1/2 HD (L1181).</param>
/// <param name="ReceivesFullMotionPresentation">A WebRTC client receiving full-motion presentation: +1 HD (L1181).</param>
[GenerateSerializer, Immutable, Alias("cc.CallMedia")]
public sealed record CallMedia(
    bool AudioOnly = false,
    MaximumCallQuality? EndpointMaximumQuality = null,
    VideoCodec Codec = VideoCodec.H264,
    bool SendsPresentation = false,
    bool ReceivesFullMotionPresentation = false)
{
    public static readonly CallMedia Audio = new(AudioOnly: true);

    public static readonly CallMedia Video = new();

    public static CallMedia VideoAt(MaximumCallQuality quality, VideoCodec codec = VideoCodec.H264) => new(EndpointMaximumQuality: quality, Codec: codec);
}
