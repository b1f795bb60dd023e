using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Gateway.Media;
using ConferenceCluster.Gateway.Media.Video;
using ConferenceCluster.Sip.Sdp;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Gateway.Sip;

/// <summary>
/// SIP video (issue 14 item 6): an offer's m=video (VP8) is answered with a video leg on the call's media node, beside its
/// audio leg, through a second relay on a proxying edge; a re-INVITE adds or drops video; a call without video, or in an
/// audio-only conference, is answered exactly as before (SdpVideoOfferAnswer leaves the audio answer untouched).
/// </summary>
public sealed partial class SipGateway
{
    /// <summary>Our video SDP options for the call's conference (up to its Maximum call quality), at <paramref name="port"/>; null without video.</summary>
    private static SdpVideoOptions? VideoSdp(GatewayCall call, int port) =>
        call.VideoQuality is { } quality ? NegotiatedVideoLegs.SdpOptions(quality, call.InboundLimitKbps, port) : null;

    /// <summary>The conference's quality when it carries video (R-CAP-3: an audio-only room answers every m=video with port 0).</summary>
    private MaximumCallQuality? VideoQualityOf(VirtualMeetingRoom room) =>
        room.ConferenceCapabilities == ConferenceCapabilities.AudioOnly ? null : room.EffectiveMaximumCallQuality(_configuration.Current.Global);

    /// <summary>What the call costs (R-QoS-2): from the agreed video and the room's outbound limit; audio-only without video.</summary>
    private static CallMedia CallMediaOf(GatewayCall call) => NegotiatedVideoLegs.CallMediaOf(call.Video, call.OutboundLimitKbps);

    /// <summary>Our answer to <paramref name="offer"/> with the call's legs: its audio at <paramref name="audio"/>, its video where it has a video leg.</summary>
    private static SdpSessionDescription AnswerWith(SdpSessionDescription offer, GatewayCall call, MediaLegAddress audio) =>
        SdpVideoOfferAnswer.CreateAnswer(offer, AnswerOptions(audio.Address, audio.RtpPort),
            call.VideoAddress is { } video ? VideoSdp(call, video.RtpPort) : null).Answer!;

    /// <summary>
    /// Puts the call's video on its media node beside its audio leg (the audio leg's voice switches the layouts), through a
    /// video relay on the proxying node when there is one. A video leg that cannot be made leaves the call audio-only
    /// (its answer rejects m=video) rather than failing it.
    /// </summary>
    /// <returns>Where the endpoint sends its video, or null.</returns>
    private async Task<MediaLegAddress?> AddVideoLegAsync(GatewayCall call, NegotiatedVideo video, string mediaNode, string? proxyNode)
    {
        MediaRelayAddress? relay = null;
        try
        {
            if (proxyNode is not null)
                relay = await _grains.GetGrain<IMediaNodeGrain>(proxyNode).AddVideoRelay(new MediaRelayRequest(
                    call.Conference, call.ParticipantId, video.RemoteAddress, video.RemoteRtpPort, video.RemoteRtcpPort)).ConfigureAwait(false);
            var request = video.ToRequest(call.Conference, call.ParticipantId, call.OutboundLimitKbps);
            if (relay is not null)
                request = request with { RemoteAddress = relay.Inner.Address, RemoteRtpPort = relay.Inner.RtpPort, RemoteRtcpPort = relay.Inner.RtcpPort };
            var leg = await _grains.GetGrain<IMediaNodeGrain>(mediaNode).AddVideoLeg(request).ConfigureAwait(false);
            if (proxyNode is not null)
                await _grains.GetGrain<IMediaNodeGrain>(proxyNode).ConnectVideoRelay(call.ParticipantId, leg).ConfigureAwait(false);
            _logger.LogInformation("Call {Participant} in {Conference}: video on {MediaNode} port {Port}{Proxy}",
                call.ParticipantId, call.Conference, mediaNode, leg.RtpPort, relay is null ? "" : $", proxied by {proxyNode} port {relay.Outer.RtpPort}");
            return relay?.Outer ?? leg;
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Call {Participant} in {Conference} goes on without video", call.ParticipantId, call.Conference);
            if (relay is not null)
                await CallMediaPlaces.TryAsync(() => _grains.GetGrain<IMediaNodeGrain>(proxyNode!).RemoveVideoRelay(call.ParticipantId), call.ParticipantId, proxyNode!, "video relay", _logger).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// The video part of a re-INVITE (RFC 3264 §8): video offered to a call without it is added (if the conference can
    /// take what it then costs), video no longer offered is dropped, video kept follows the endpoint's address. The answer
    /// carries the call's video as it now is.
    /// </summary>
    private async Task<SdpSessionDescription> AnswerReInviteAsync(GatewayCall call, SdpSessionDescription offer, SdpAudioOptions audio)
    {
        var offered = call.InConference && call.MediaNode is not null && VideoSdp(call, call.VideoAddress?.RtpPort ?? 9) is { } ours
            ? SdpVideoOfferAnswer.CreateAnswer(offer, audio, ours).Video
            : null;
        if (offered is { Direction: SdpDirection.Inactive }) offered = null;
        if (offered is null && call.VideoAddress is not null)
        {
            await DropVideoAsync(call).ConfigureAwait(false);
        }
        else if (offered is not null && call.VideoAddress is null)
        {
            await AddVideoAsync(call, offered).ConfigureAwait(false);
        }
        else if (offered is not null)
        {
            call.Video = offered;
            if (call.EndpointFacingNode is { } endpointFacing)
                await _grains.GetGrain<IMediaNodeGrain>(endpointFacing).UpdateVideoRemote(call.ParticipantId, offered.RemoteAddress, offered.RemoteRtpPort, offered.RemoteRtcpPort).ConfigureAwait(false);
        }
        return SdpVideoOfferAnswer.CreateAnswer(offer, audio, call.VideoAddress is { } video ? VideoSdp(call, video.RtpPort) : null).Answer!;
    }

    /// <summary>An audio call adds video: the conference reserves what it now costs first (R-QoS-2); refused, the video line is rejected.</summary>
    private async Task AddVideoAsync(GatewayCall call, NegotiatedVideo offered)
    {
        var conference = _grains.GetGrain<IConferenceGrain>(call.Conference);
        if (!await conference.ChangeCallMedia(call.ParticipantId, NegotiatedVideoLegs.CallMediaOf(offered, call.OutboundLimitKbps)).ConfigureAwait(false))
        {
            _logger.LogInformation("Call {Participant} in {Conference}: video refused (no capacity for it)", call.ParticipantId, call.Conference);
            return;
        }
        call.Video = offered;
        call.VideoAddress = await AddVideoLegAsync(call, offered, call.MediaNode!, call.ProxyNode).ConfigureAwait(false);
        if (call.VideoAddress is null)
        {
            call.Video = null;
            await conference.ChangeCallMedia(call.ParticipantId, CallMedia.Audio).ConfigureAwait(false);
        }
    }

    /// <summary>The endpoint dropped video: its video leg and relay go, and it is an audio-only participant in the layouts again.</summary>
    private async Task DropVideoAsync(GatewayCall call)
    {
        call.Video = null;
        call.VideoAddress = null;
        if (call.MediaNode is { } mediaNode)
            await CallMediaPlaces.TryAsync(() => _grains.GetGrain<IMediaNodeGrain>(mediaNode).RemoveVideoLeg(call.ParticipantId), call.ParticipantId, mediaNode, "video leg", _logger).ConfigureAwait(false);
        if (call.ProxyNode is { } proxyNode)
            await CallMediaPlaces.TryAsync(() => _grains.GetGrain<IMediaNodeGrain>(proxyNode).RemoveVideoRelay(call.ParticipantId), call.ParticipantId, proxyNode, "video relay", _logger).ConfigureAwait(false);
        await _grains.GetGrain<IConferenceGrain>(call.Conference).ChangeCallMedia(call.ParticipantId, CallMedia.Audio).ConfigureAwait(false);
        _logger.LogInformation("Call {Participant} in {Conference} dropped its video", call.ParticipantId, call.Conference);
    }

    /// <summary>
    /// Our re-offer moving the call to new legs (admitted, failover): the audio line to the new audio leg, and the video line,
    /// if the call has one, to its new video leg (or disabled, port 0, when none could be made there: RFC 3264 §8.2).
    /// </summary>
    private static void PointVideoAt(SdpSessionDescription offer, GatewayCall call)
    {
        if (call.Video is not { } video || offer.Media.ElementAtOrDefault(video.MediaIndex) is not { Media: "video", Port: > 0 } line) return;
        line.Connections.Clear();
        line.Port = call.VideoAddress?.RtpPort ?? 0;
    }

    /// <summary>The endpoint's answer to our re-offer says where its video is now.</summary>
    private async Task FollowVideoAnswerAsync(GatewayCall call, SdpSessionDescription answer)
    {
        if (call.Video is not { } video || call.VideoAddress is null || call.EndpointFacingNode is not { } endpointFacing) return;
        if (answer.Media.ElementAtOrDefault(video.MediaIndex) is { Media: "video", Port: > 0 } answered && answer.GetEffectiveConnection(answered) is { } connection)
            await _grains.GetGrain<IMediaNodeGrain>(endpointFacing)
                .UpdateVideoRemote(call.ParticipantId, connection.Host, answered.Port, answered.RtcpPort ?? answered.Port + 1).ConfigureAwait(false);
    }
}
