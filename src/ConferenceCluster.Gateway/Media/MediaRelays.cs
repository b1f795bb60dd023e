using System.Collections.Concurrent;
using System.Net;
using ConferenceCluster.Media.Relay;
using ConferenceCluster.Media.WebRtc.Relay;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Gateway.Media;

/// <summary>
/// The calls this silo proxies as a Proxying Edge Node (R43–R45): one <see cref="RtpRelay"/> per call between the
/// endpoint and the call's leg on its transcoding node, on ports of this node's media range; for a browser, a
/// <see cref="WebRtcRelay"/> (ICE, DTLS and SRTP pass through untouched, one port each side). A call with video has a
/// second <see cref="RtpRelay"/> for its video port pair, beside its audio one.
/// </summary>
public sealed class MediaRelays(MediaNode media, ILogger<MediaRelays> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (string Conference, RtpRelay Relay)> _relays = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Conference, WebRtcRelay Relay)> _browserRelays = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Conference, RtpRelay Relay)> _videoRelays = new(StringComparer.Ordinal);

    public int Count => _relays.Count + _browserRelays.Count + _videoRelays.Count;

    public MediaRelayAddress Add(MediaRelayRequest request)
    {
        if (_relays.ContainsKey(request.ParticipantId) || _browserRelays.ContainsKey(request.ParticipantId))
            throw new InvalidOperationException($"participant {request.ParticipantId} already has a relay here");
        return Start(_relays, request, "");
    }

    /// <summary>The video port pair of a call this node proxies: a relay of its own, beside the audio one (RTP and RTCP feedback pass unchanged).</summary>
    public MediaRelayAddress AddVideo(MediaRelayRequest request)
    {
        if (_videoRelays.ContainsKey(request.ParticipantId))
            throw new InvalidOperationException($"participant {request.ParticipantId} already has a video relay here");
        return Start(_videoRelays, request, "video ");
    }

    private MediaRelayAddress Start(ConcurrentDictionary<string, (string Conference, RtpRelay Relay)> relays, MediaRelayRequest request, string what)
    {
        var endpoint = IPAddress.Parse(request.EndpointAddress);
        var relay = RtpRelay.Start(media.BindAddress, media.Ports,
            new IPEndPoint(endpoint, request.EndpointRtpPort), new IPEndPoint(endpoint, request.EndpointRtcpPort));
        relays[request.ParticipantId] = (request.Conference, relay);
        logger.LogInformation("Call {Participant} to {Conference}: relaying {What}endpoint port {Outer} to inner port {Inner}",
            request.ParticipantId, request.Conference, what, relay.OuterRtpPort, relay.InnerRtpPort);
        return new MediaRelayAddress(
            new MediaLegAddress(media.AdvertisedAddress, relay.OuterRtpPort, relay.OuterRtpPort + 1),
            new MediaLegAddress(media.AdvertisedAddress, relay.InnerRtpPort, relay.InnerRtpPort + 1));
    }

    /// <summary>A browser call through this proxying node: the outer port is the browser's candidate, the inner one the leg's peer.</summary>
    public MediaRelayAddress AddWebRtc(string conference, string participantId)
    {
        if (_relays.ContainsKey(participantId) || _browserRelays.ContainsKey(participantId))
            throw new InvalidOperationException($"participant {participantId} already has a relay here");
        var relay = WebRtcRelay.Start(media.BindAddress, media.Ports);
        _browserRelays[participantId] = (conference, relay);
        logger.LogInformation("Browser {Participant} in {Conference}: relaying browser port {Outer} to inner port {Inner}",
            participantId, conference, relay.OuterEndPoint.Port, relay.InnerEndPoint.Port);
        return new MediaRelayAddress(
            new MediaLegAddress(media.AdvertisedAddress, relay.OuterEndPoint.Port, relay.OuterEndPoint.Port),
            new MediaLegAddress(media.AdvertisedAddress, relay.InnerEndPoint.Port, relay.InnerEndPoint.Port));
    }

    public bool ConnectVideo(string participantId, MediaLegAddress leg) => Connect(_videoRelays, participantId, leg);

    public bool Connect(string participantId, MediaLegAddress leg)
    {
        if (_browserRelays.TryGetValue(participantId, out var browser))
        {
            browser.Relay.SetMediaLeg(new IPEndPoint(MediaNode.ResolveAddress(leg.Address), leg.RtpPort));
            return true;
        }
        return Connect(_relays, participantId, leg);
    }

    private static bool Connect(ConcurrentDictionary<string, (string Conference, RtpRelay Relay)> relays, string participantId, MediaLegAddress leg)
    {
        if (!relays.TryGetValue(participantId, out var relay)) return false;
        var address = IPAddress.Parse(leg.Address);
        relay.Relay.SetMediaLeg(new IPEndPoint(address, leg.RtpPort), new IPEndPoint(address, leg.RtcpPort));
        return true;
    }

    /// <summary>The endpoint moved its media (re-INVITE): false when this node relays no such call.</summary>
    public bool UpdateEndpoint(string participantId, string address, int rtpPort, int rtcpPort) => UpdateEndpoint(_relays, participantId, address, rtpPort, rtcpPort);

    /// <summary>The endpoint moved its video (re-INVITE): false when this node relays no video of such a call.</summary>
    public bool UpdateVideoEndpoint(string participantId, string address, int rtpPort, int rtcpPort) => UpdateEndpoint(_videoRelays, participantId, address, rtpPort, rtcpPort);

    private static bool UpdateEndpoint(ConcurrentDictionary<string, (string Conference, RtpRelay Relay)> relays, string participantId, string address, int rtpPort, int rtcpPort)
    {
        if (!relays.TryGetValue(participantId, out var relay)) return false;
        var ip = IPAddress.Parse(address);
        relay.Relay.SetEndpoint(new IPEndPoint(ip, rtpPort), new IPEndPoint(ip, rtcpPort));
        return true;
    }

    /// <summary>Only the video relay of a call (a re-INVITE dropped video).</summary>
    public async Task<bool> RemoveVideoAsync(string participantId)
    {
        if (!_videoRelays.TryRemove(participantId, out var video)) return false;
        await video.Relay.DisposeAsync().ConfigureAwait(false);
        return true;
    }

    /// <summary>Every relay of the call here (audio, its video, or a browser's).</summary>
    public async Task<bool> RemoveAsync(string participantId)
    {
        var hadVideo = await RemoveVideoAsync(participantId).ConfigureAwait(false);
        if (_browserRelays.TryRemove(participantId, out var browser))
        {
            await browser.Relay.DisposeAsync().ConfigureAwait(false);
            return true;
        }
        if (!_relays.TryRemove(participantId, out var relay)) return hadVideo;
        await relay.Relay.DisposeAsync().ConfigureAwait(false);
        return true;
    }

    public MediaRelayStatistics? GetStatistics(string participantId)
    {
        if (_browserRelays.TryGetValue(participantId, out var browser))
        {
            // One port carries everything: RTP and RTCP are not told apart at the edge (it never decrypts).
            var b = browser.Relay.GetStatistics();
            return new MediaRelayStatistics(participantId, b.FromBrowser, b.ToBrowser, 0, 0,
                b.DroppedFromUnvalidatedAddress + b.DroppedUnknown + b.DroppedNotFromLeg, b.SelectedBrowser);
        }
        if (!_relays.TryGetValue(participantId, out var relay)) return null;
        var s = relay.Relay.GetStatistics();
        return new MediaRelayStatistics(participantId, s.RtpFromEndpoint, s.RtpToEndpoint, s.RtcpFromEndpoint, s.RtcpToEndpoint, s.Dropped, s.EndpointAddress);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _relays.Keys.Concat(_browserRelays.Keys).Concat(_videoRelays.Keys).Distinct().ToList())
            await RemoveAsync(id).ConfigureAwait(false);
    }
}
