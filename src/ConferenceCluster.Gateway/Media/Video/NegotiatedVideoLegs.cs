using System.Net;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Media.Video;
using ConferenceCluster.Media.Video.Mixing;
using ConferenceCluster.Sip.Sdp;

namespace ConferenceCluster.Gateway.Media.Video;

/// <summary>From what the SDP agreed for video to what the media node's video leg needs.</summary>
public static class NegotiatedVideoLegs
{
    /// <summary>The video leg options of a participant whose SDP agreed on <paramref name="video"/>.</summary>
    /// <param name="participantKey">The participant's id in the conference (what layouts and backplanes use).</param>
    /// <param name="speaker">Its voice for voice switching (an <see cref="AudioLegSpeakerActivity"/> over its audio leg).</param>
    /// <param name="outboundLimitKbps">The conference's maximum outbound call bandwidth for video, if any (R-QoS-4): the lower limit wins.</param>
    public static VideoLegOptions ToLegOptions(this NegotiatedVideo video, string participantKey, ISpeakerActivity? speaker, int? outboundLimitKbps = null) =>
        video.ToRequest("", participantKey, outboundLimitKbps).ToLegOptions(speaker);

    /// <summary>
    /// What the signalling node asks the media node for (<see cref="IMediaNodeGrain.AddVideoLeg"/>): the agreed video, with
    /// the endpoint's bandwidth lowered to the conference's outbound limit (R-QoS-4).
    /// </summary>
    public static VideoLegRequest ToRequest(this NegotiatedVideo video, string conference, string participantId, int? outboundLimitKbps = null)
    {
        ArgumentNullException.ThrowIfNull(video);
        int? bandwidth = (video.MaxBitrateKbps, outboundLimitKbps) switch
        {
            (int endpoint, int service) => Math.Min(endpoint, service),
            (int endpoint, null) => endpoint,
            (null, int service) => service,
            _ => null,
        };
        return new VideoLegRequest(conference, participantId, video.PayloadType, video.RemoteAddress, video.RemoteRtpPort, video.RemoteRtcpPort,
            Sends: video.Direction.CanReceive(),  // our recv: the endpoint sends us video
            Receives: video.Direction.CanSend(),  // our send: the endpoint receives the composite
            FeedbackFlags: (int)video.Feedback,
            video.MaxWidth, video.MaxHeight, video.MaxMacroblocks, video.MaxFrameRate, bandwidth);
    }

    /// <summary>The media leg's options for a request, on the media node.</summary>
    public static VideoLegOptions ToLegOptions(this VideoLegRequest request, ISpeakerActivity? speaker)
    {
        ArgumentNullException.ThrowIfNull(request);
        IPAddress address = IPAddress.Parse(request.RemoteAddress);
        return new VideoLegOptions
        {
            ParticipantKey = request.ParticipantId,
            PayloadType = checked((byte)request.PayloadType),
            Sends = request.Sends,
            Receives = request.Receives,
            RemoteRtp = new IPEndPoint(address, request.RemoteRtpPort),
            RemoteRtcp = new IPEndPoint(address, request.RemoteRtcpPort),
            Speaker = speaker,
            Feedback = (VideoFeedback)request.FeedbackFlags, // the same flags, one per rtcp-fb kind
            ReceiveCapabilities = new VideoReceiveCapabilities
            {
                MaxWidth = request.MaxWidth,
                MaxHeight = request.MaxHeight,
                MaxMacroblocks = request.MaxMacroblocks,
                MaxFrameRate = request.MaxFrameRate,
                MaxBitrateKbps = request.MaxBitrateKbps,
            },
        };
    }

    /// <summary>
    /// What the call asks of the media node for its capacity reservation (<see cref="MediaCosts.OnTranscodingNode"/>,
    /// R-QoS-2): audio-only without agreed video, else VP8 video at the best quality the endpoint can receive (its
    /// max-fs, imageattr and bandwidth, R-QoS-5); the conference's maximum call quality lowers it further in MediaCosts.
    /// </summary>
    public static CallMedia CallMediaOf(NegotiatedVideo? video, int? outboundLimitKbps = null)
    {
        if (video is null || video.Direction == SdpDirection.Inactive)
        {
            return CallMedia.Audio;
        }

        VideoReceiveCapabilities capabilities = video.ToLegOptions("capacity", speaker: null, outboundLimitKbps).ReceiveCapabilities;
        VideoResolution best = VideoResolution.ChooseFor(VideoQuality.FullHd, capabilities);
        MaximumCallQuality quality = best.Height >= VideoResolution.FullHd.Height ? MaximumCallQuality.FullHd
            : best.Height >= VideoResolution.Hd.Height ? MaximumCallQuality.Hd
            : MaximumCallQuality.Sd;
        return CallMedia.VideoAt(quality, VideoCodec.Vp8);
    }

    /// <summary>The composition's ceiling for a conference's Maximum call quality (R-QoS-1).</summary>
    public static VideoQuality QualityOf(MaximumCallQuality quality) => quality switch
    {
        MaximumCallQuality.Sd => VideoQuality.Sd,
        MaximumCallQuality.FullHd => VideoQuality.FullHd,
        _ => VideoQuality.Hd,
    };

    /// <summary>
    /// Our side of the video SDP in a conference of <paramref name="quality"/>: we accept up to its resolution (max-fs,
    /// imageattr) and ask for at most <paramref name="inboundLimitKbps"/> (the service's inbound limit, R-QoS-4), else the
    /// resolution's own rate.
    /// </summary>
    public static SdpVideoOptions SdpOptions(MaximumCallQuality quality, int? inboundLimitKbps, int localRtpPort)
    {
        VideoResolution largest = VideoResolution.Of(QualityOf(quality));
        return new SdpVideoOptions
        {
            LocalRtpPort = localRtpPort,
            MaxReceiveMacroblocks = largest.Macroblocks,
            MaxReceiveWidth = largest.Width,
            MaxReceiveHeight = largest.Height,
            MaxReceiveKbps = inboundLimitKbps ?? largest.TargetKbps,
        };
    }
}
