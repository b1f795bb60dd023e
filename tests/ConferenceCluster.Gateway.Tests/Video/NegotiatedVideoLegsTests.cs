using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Gateway.Media.Video;
using ConferenceCluster.Media.Video;
using ConferenceCluster.Media.Video.Mixing;
using ConferenceCluster.Sip.Sdp;

namespace ConferenceCluster.Gateway.Tests.Video;

/// <summary>What the SDP agreed becomes the video leg's options, and its receive resolution (R-QoS-1, R-QoS-5).</summary>
public sealed class NegotiatedVideoLegsTests
{
    private static NegotiatedVideo Negotiated(SdpDirection direction, int? maxFs = 3600, int? kbps = null, SdpVideoFeedback feedback = SdpVideoFeedback.PictureLossIndication) => new()
    {
        MediaIndex = 1,
        PayloadType = 96,
        RemoteAddress = "192.0.2.5",
        RemoteRtpPort = 30000,
        RemoteRtcpPort = 30001,
        Direction = direction,
        Feedback = feedback,
        MaxMacroblocks = maxFs,
        MaxBitrateKbps = kbps,
    };

    [Fact]
    public void Direction_feedback_address_and_limits_carry_over()
    {
        VideoLegOptions options = Negotiated(SdpDirection.SendRecv).ToLegOptions("p1", speaker: null);
        Assert.Equal(("p1", (byte)96, true, true), (options.ParticipantKey, options.PayloadType, options.Sends, options.Receives));
        Assert.Equal("192.0.2.5:30000", options.RemoteRtp!.ToString());
        Assert.Equal(30001, options.RemoteRtcp!.Port);
        Assert.Equal(VideoFeedback.PictureLossIndication, options.Feedback);
        Assert.Equal(VideoFeedback.All, Negotiated(SdpDirection.SendRecv, feedback: SdpVideoFeedback.All).ToLegOptions("p", null).Feedback);

        VideoLegOptions recvOnly = Negotiated(SdpDirection.RecvOnly).ToLegOptions("p2", null); // we only receive: it only sends
        Assert.Equal((true, false), (recvOnly.Sends, recvOnly.Receives));
    }

    [Theory]
    [InlineData(VideoQuality.FullHd, 3600, null, null, 1280)]   // max-fs 3600 = 720p: the endpoint's limit
    [InlineData(VideoQuality.Hd, 8160, null, null, 1280)]       // the conference's maximum call quality (R-QoS-1)
    [InlineData(VideoQuality.FullHd, 8160, null, null, 1920)]
    [InlineData(VideoQuality.FullHd, 8160, 900, null, 768)]     // 900 kbit/s is below HD's 960 (R-QoS-5, AT-73): SD
    [InlineData(VideoQuality.FullHd, 8160, 2500, 1000, 1280)]   // the service's outbound limit wins over the endpoint's
    [InlineData(VideoQuality.Sd, null, null, null, 768)]
    public void The_receive_resolution_follows_sdp_limits_and_the_maximum_call_quality_R_QoS_1_R_QoS_5(VideoQuality quality, int? maxFs, int? kbps, int? serviceKbps, int width)
    {
        VideoLegOptions options = Negotiated(SdpDirection.SendRecv, maxFs, kbps).ToLegOptions("p", null, serviceKbps);
        Assert.Equal(width, VideoResolution.ChooseFor(quality, options.ReceiveCapabilities).Width);
    }

    [Fact]
    public void A_call_is_reserved_at_what_its_endpoint_can_receive_and_audio_only_without_video_R_QoS_2()
    {
        Assert.Equal(CallMedia.Audio, NegotiatedVideoLegs.CallMediaOf(null));
        Assert.Equal(CallMedia.Audio, NegotiatedVideoLegs.CallMediaOf(Negotiated(SdpDirection.Inactive)));
        Assert.Equal(CallMedia.VideoAt(MaximumCallQuality.Hd, VideoCodec.Vp8), NegotiatedVideoLegs.CallMediaOf(Negotiated(SdpDirection.SendRecv, maxFs: 3600)));
        Assert.Equal(CallMedia.VideoAt(MaximumCallQuality.FullHd, VideoCodec.Vp8), NegotiatedVideoLegs.CallMediaOf(Negotiated(SdpDirection.SendRecv, maxFs: null)));
        Assert.Equal(CallMedia.VideoAt(MaximumCallQuality.Sd, VideoCodec.Vp8), NegotiatedVideoLegs.CallMediaOf(Negotiated(SdpDirection.SendRecv, kbps: 600)));
    }
}
