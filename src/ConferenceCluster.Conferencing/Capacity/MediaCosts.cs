using ConferenceCluster.Conferencing.Configuration;

namespace ConferenceCluster.Conferencing.Capacity;

/// <summary>
/// The seed's resource weights (R56–R59, L1175–1200) in <see cref="CapacityUnits"/>.
/// </summary>
public static class MediaCosts
{
    public static readonly CapacityUnits AudioCall = new(CapacityUnits.PerAudioCall);
    public static readonly CapacityUnits SdCall = new(CapacityUnits.PerHdCall / 2);       // L1178
    public static readonly CapacityUnits HdCall = new(CapacityUnits.PerHdCall);           // L1175
    public static readonly CapacityUnits FullHdCall = new(CapacityUnits.PerHdCall * 2);   // L1177

    /// <summary>WebRTC sending presentation: 0.5 HD (L1181).</summary>
    public static readonly CapacityUnits PresentationSend = new(CapacityUnits.PerHdCall / 2);

    /// <summary>WebRTC receiving full-motion presentation: 1 HD (L1181).</summary>
    public static readonly CapacityUnits FullMotionPresentationReceive = new(CapacityUnits.PerHdCall);

    /// <summary>A proxying node proxying a video call of any resolution: about 3 audio-only calls (L1191).</summary>
    public static readonly CapacityUnits ProxiedVideoCall = AudioCall * 3;

    /// <summary>A proxying node proxying an audio call: 1 audio-only call (L1191).</summary>
    public static readonly CapacityUnits ProxiedAudioCall = AudioCall;

    /// <summary>The resolution a call is reserved at: the lower of the endpoint's and the conference's ceiling (R58, L1183).</summary>
    public static MaximumCallQuality? EffectiveVideoQuality(CallMedia call, ConferenceMediaPolicy conference)
    {
        if (call.AudioOnly || conference.IsAudioOnly) return null; // an audio-only VMR limits every caller to audio (R-CAP-3)
        var ceiling = conference.MaximumCallQuality;
        return call.EndpointMaximumQuality is { } endpoint && endpoint < ceiling ? endpoint : ceiling;
    }

    /// <summary>
    /// What the call costs the Transcoding Conferencing Node that processes its media. The same whether the
    /// endpoint is connected directly or through a proxying node (R59, L1161).
    /// </summary>
    public static CapacityUnits OnTranscodingNode(CallMedia call, ConferenceMediaPolicy conference)
    {
        if (EffectiveVideoQuality(call, conference) is not { } quality) return AudioCall;
        var video = ForQuality(quality);
        if (call.Codec == VideoCodec.Vp9) video = new CapacityUnits(video.Value * 5 / 4); // exact: every quality is a multiple of 4 units
        if (conference.Capabilities == ConferenceCapabilities.MainVideoAndPresentation)
        {
            if (call.SendsPresentation) video += PresentationSend;
            if (call.ReceivesFullMotionPresentation) video += FullMotionPresentationReceive;
        }
        return video;
    }

    /// <summary>What the call costs the Proxying Edge Node that relays its media (R59, L1191).</summary>
    public static CapacityUnits OnProxyingNode(CallMedia call, ConferenceMediaPolicy conference) =>
        EffectiveVideoQuality(call, conference) is null ? ProxiedAudioCall : ProxiedVideoCall;

    /// <summary>
    /// The backplane connection each Transcoding Conferencing Node reserves for each conference it hosts (R54, L1197):
    /// one connection at the conference's Maximum call quality; one audio connection for an audio-only conference
    /// (L1200); nothing in a deployment with a single (transcoding) node, where no backplane can ever exist (L1199).
    /// </summary>
    public static CapacityUnits BackplaneReservation(ConferenceMediaPolicy conference, bool singleTranscodingNodeDeployment)
    {
        if (singleTranscodingNodeDeployment) return CapacityUnits.Zero;
        return conference.IsAudioOnly ? AudioCall : ForQuality(conference.MaximumCallQuality);
    }

    public static CapacityUnits ForQuality(MaximumCallQuality quality) => quality switch
    {
        MaximumCallQuality.Sd => SdCall,
        MaximumCallQuality.Hd => HdCall,
        MaximumCallQuality.FullHd => FullHdCall,
        _ => throw new ArgumentOutOfRangeException(nameof(quality), quality, null),
    };
}
