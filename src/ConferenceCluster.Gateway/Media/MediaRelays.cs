using System.Collections.Concurrent;
using System.Net;
using ConferenceCluster.Media.Relay;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Gateway.Media;

/// <summary>
/// The calls this silo proxies as a Proxying Edge Node (R43–R45): one <see cref="RtpRelay"/> per call between the
/// endpoint and the call's leg on its transcoding node, on ports of this node's media range.
/// </summary>
public sealed class MediaRelays(MediaNode media, ILogger<MediaRelays> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (string Conference, RtpRelay Relay)> _relays = new(StringComparer.Ordinal);

    public int Count => _relays.Count;

    public MediaRelayAddress Add(MediaRelayRequest request)
    {
        if (_relays.ContainsKey(request.ParticipantId))
            throw new InvalidOperationException($"participant {request.ParticipantId} already has a relay here");
        var endpoint = IPAddress.Parse(request.EndpointAddress);
        var relay = RtpRelay.Start(media.BindAddress, media.Ports,
            new IPEndPoint(endpoint, request.EndpointRtpPort), new IPEndPoint(endpoint, request.EndpointRtcpPort));
        _relays[request.ParticipantId] = (request.Conference, relay);
        logger.LogInformation("Call {Participant} to {Conference}: relaying endpoint port {Outer} to inner port {Inner}",
            request.ParticipantId, request.Conference, relay.OuterRtpPort, relay.InnerRtpPort);
        return new MediaRelayAddress(
            new MediaLegAddress(media.AdvertisedAddress, relay.OuterRtpPort, relay.OuterRtpPort + 1),
            new MediaLegAddress(media.AdvertisedAddress, relay.InnerRtpPort, relay.InnerRtpPort + 1));
    }

    public bool Connect(string participantId, MediaLegAddress leg)
    {
        if (!_relays.TryGetValue(participantId, out var relay)) return false;
        var address = IPAddress.Parse(leg.Address);
        relay.Relay.SetMediaLeg(new IPEndPoint(address, leg.RtpPort), new IPEndPoint(address, leg.RtcpPort));
        return true;
    }

    /// <summary>The endpoint moved its media (re-INVITE): false when this node relays no such call.</summary>
    public bool UpdateEndpoint(string participantId, string address, int rtpPort, int rtcpPort)
    {
        if (!_relays.TryGetValue(participantId, out var relay)) return false;
        var ip = IPAddress.Parse(address);
        relay.Relay.SetEndpoint(new IPEndPoint(ip, rtpPort), new IPEndPoint(ip, rtcpPort));
        return true;
    }

    public async Task<bool> RemoveAsync(string participantId)
    {
        if (!_relays.TryRemove(participantId, out var relay)) return false;
        await relay.Relay.DisposeAsync().ConfigureAwait(false);
        return true;
    }

    public MediaRelayStatistics? GetStatistics(string participantId)
    {
        if (!_relays.TryGetValue(participantId, out var relay)) return null;
        var s = relay.Relay.GetStatistics();
        return new MediaRelayStatistics(participantId, s.RtpFromEndpoint, s.RtpToEndpoint, s.RtcpFromEndpoint, s.RtcpToEndpoint, s.Dropped, s.EndpointAddress);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _relays.Keys.ToList())
            await RemoveAsync(id).ConfigureAwait(false);
    }
}
