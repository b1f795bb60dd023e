using System.Collections.Concurrent;
using System.Net;
using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.Workers;
using ConferenceCluster.Gateway.Sip;
using Microsoft.Extensions.Logging;
using MediaAudioCodec = ConferenceCluster.Media.Codecs.AudioCodec;

namespace ConferenceCluster.Gateway.Media;

/// <summary>
/// This silo's media: the media engine (one worker per core), one mixer per conference hosted here, one RTP leg
/// per participant whose media this node processes. DTMF heard in a leg's RTP goes to its signalling node.
/// </summary>
public sealed partial class MediaNode : IAsyncDisposable
{
    private readonly GatewayOptions _options;
    private readonly IGrainFactory _grains;
    private readonly ILogger _logger;
    private readonly Lazy<MediaEngine> _engine;
    private readonly ConcurrentDictionary<string, Lazy<Task<ConferenceMedia>>> _conferences = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Conference, MediaParticipant Participant, string Codec)> _legs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Conference, string Peer), (BackplaneKind Kind, MediaParticipant Leg)> _backplanes = new();
    /// <summary>Guards <see cref="_conferences"/> and <see cref="_adding"/> together: a mixer is never closed while a leg is being added to it.</summary>
    private readonly Lock _conferenceGate = new();
    /// <summary>Legs and backplanes being added, per conference (the mixer's own count moves only when the add completes).</summary>
    private readonly Dictionary<string, int> _adding = new(StringComparer.Ordinal);

    private readonly ISpeakerDetector _speakers;

    public MediaNode(GatewayOptions options, IGrainFactory grains, ISpeakerDetector speakers, ILogger<MediaNode> logger)
    {
        _speakers = speakers;
        _options = options;
        _grains = grains;
        _logger = logger;
        // Workers start with the first leg, so a silo that never carries media spends no threads on it.
        _engine = new Lazy<MediaEngine>(() => new MediaEngine(new MediaOptions
        {
            BindAddress = IPAddress.Parse(options.BindAddress),
            PortRange = PortRange.Parse(options.MediaPortRange),
            WorkerCount = options.MediaWorkers ?? Environment.ProcessorCount,
        }));
    }

    public int LegCount => _legs.Count;

    public int BackplaneCount => _backplanes.Count;

    /// <summary>Conferences with a mixer here (while they have a leg or a backplane here).</summary>
    public int ConferenceCount => _conferences.Count;

    /// <summary>This node's port range, for media outside the mixers (PIN entry screen, relays of a proxying node).</summary>
    public RtpPortAllocator Ports => _engine.Value.PortAllocator;

    public string AdvertisedAddress => _options.AdvertisedAddress;

    /// <summary>An RTP port pair from this node's range for media outside the mixers (the PIN entry screen).</summary>
    public int AllocatePort() =>
        Ports.TryAllocate(out var port) ? port : throw new MediaPortsExhaustedException($"No free RTP/RTCP port pair in {Ports.Range}.");

    public void ReleasePort(int rtpPort) => Ports.Release(rtpPort);

    public IPAddress BindAddress => IPAddress.Parse(_options.BindAddress);

    public async Task<MediaLegAddress> AddLegAsync(MediaLegRequest request)
    {
        if (_legs.ContainsKey(request.ParticipantId))
            throw new InvalidOperationException($"participant {request.ParticipantId} already has a media leg here");
        var remote = IPAddress.Parse(request.RemoteAddress);
        var participant = await AddToMixerAsync(request.Conference, new MediaEndpointOptions
        {
            Codec = CodecOf(request.Codec),
            PayloadType = checked((byte)request.PayloadType),
            TelephoneEventPayloadType = request.TelephoneEventPayloadType is { } dtmf ? checked((byte)dtmf) : null,
            // The SDP layer says 0 when no telephone-event was offered; the media engine wants a real clock rate
            // whether or not DTMF is negotiated (it is unused then).
            TelephoneEventClockRate = request.TelephoneEventClockRate > 0 ? request.TelephoneEventClockRate : 8000,
            AudioLevelExtensionId = request.AudioLevelExtensionId is >= 1 and <= 255 and var level ? (byte)level : null,
            RemoteRtp = new IPEndPoint(remote, request.RemoteRtpPort),
            RemoteRtcp = new IPEndPoint(remote, request.RemoteRtcpPort),
            DtmfReceived = (_, digit) => OnDtmf(request, digit),
        }).ConfigureAwait(false);
        _legs[request.ParticipantId] = (request.Conference, participant, request.Codec);
        return new MediaLegAddress(_options.AdvertisedAddress, participant.LocalRtpPort, participant.LocalRtcpPort);
    }

    public async Task UpdateRemoteAsync(string participantId, string remoteAddress, int remoteRtpPort, int remoteRtcpPort)
    {
        if (!_legs.TryGetValue(participantId, out var leg)) return;
        var address = IPAddress.Parse(remoteAddress);
        await leg.Participant.SetRemoteAsync(new IPEndPoint(address, remoteRtpPort), new IPEndPoint(address, remoteRtcpPort)).ConfigureAwait(false);
    }

    /// <summary>Removes the call's legs here: its audio leg and, if it has one, its video leg.</summary>
    public async Task<bool> RemoveLegAsync(string participantId)
    {
        await RemoveVideoLegAsync(participantId).ConfigureAwait(false);
        if (!_legs.TryRemove(participantId, out var leg)) return false;
        await RemoveFromMixerAsync(leg.Conference, leg.Participant).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Opens this node's end of a backplane, or finds it open (a restored conference grain re-applies its topology).
    /// Its codec follows its kind (<see cref="BackplaneCodecs"/>), the same at both ends, so nothing is negotiated.
    /// </summary>
    public async Task<MediaLegAddress> OpenBackplaneAsync(string conference, string peer, BackplaneKind kind, MediaLegAddress? remote)
    {
        if (!_backplanes.TryGetValue((conference, peer), out var backplane))
        {
            var role = kind == BackplaneKind.Geo ? MixRole.GeoBackplane : MixRole.LocalBackplane;
            backplane = (kind, await AddToMixerAsync(conference, BackplaneCodecs.For(role)).ConfigureAwait(false));
            _backplanes[(conference, peer)] = backplane;
            _logger.LogInformation("Conference {Conference}: {Kind} backplane to {Peer} opened on port {Port}", conference, kind, peer, backplane.Leg.LocalRtpPort);
        }
        if (remote is not null) await ConnectBackplaneAsync(conference, peer, remote).ConfigureAwait(false);
        return new MediaLegAddress(_options.AdvertisedAddress, backplane.Leg.LocalRtpPort, backplane.Leg.LocalRtcpPort);
    }

    public async Task<bool> ConnectBackplaneAsync(string conference, string peer, MediaLegAddress remote)
    {
        if (!_backplanes.TryGetValue((conference, peer), out var backplane)) return false;
        var address = IPAddress.Parse(remote.Address);
        await backplane.Leg.SetRemoteAsync(new IPEndPoint(address, remote.RtpPort), new IPEndPoint(address, remote.RtcpPort)).ConfigureAwait(false);
        return true;
    }

    public async Task<bool> CloseBackplaneAsync(string conference, string peer)
    {
        await CloseBackplaneVideoAsync(conference, peer).ConfigureAwait(false);
        if (!_backplanes.TryRemove((conference, peer), out var backplane)) return false;
        await RemoveFromMixerAsync(conference, backplane.Leg).ConfigureAwait(false);
        _logger.LogInformation("Conference {Conference}: {Kind} backplane to {Peer} closed", conference, backplane.Kind, peer);
        return true;
    }

    public IReadOnlyList<BackplaneLegStatistics> GetBackplaneStatistics(string conference) =>
        _backplanes.Where(kv => kv.Key.Conference == conference)
            .OrderBy(kv => kv.Key.Peer, StringComparer.Ordinal)
            .Select(kv =>
            {
                var statistics = kv.Value.Leg.GetStatistics();
                return new BackplaneLegStatistics(conference, kv.Key.Peer, kv.Value.Kind, kv.Value.Leg.Codec.ToString(),
                    statistics.PacketsReceived, statistics.PacketsLost, statistics.JitterMs, statistics.PacketsSent);
            })
            .ToList();

    /// <summary>The last leg or backplane of a conference here takes its mixer with it (unless another is being added).</summary>
    private async Task RemoveFromMixerAsync(string conference, MediaParticipant participant)
    {
        await participant.Conference.RemoveParticipantAsync(participant).ConfigureAwait(false);
        await CloseIfUnusedAsync(conference, participant.Conference).ConfigureAwait(false);
    }

    /// <summary>Closes the conference's mixer here when it has no leg or backplane left and none is being added.</summary>
    private async Task CloseIfUnusedAsync(string conference, ConferenceMedia? expected)
    {
        Lazy<Task<ConferenceMedia>>? closing = null;
        lock (_conferenceGate)
        {
            if (!_adding.ContainsKey(conference)
                && _conferences.TryGetValue(conference, out var media) && media.IsValueCreated
                && media.Value.IsCompletedSuccessfully && media.Value.Result.ParticipantCount == 0
                && (expected is null || ReferenceEquals(media.Value.Result, expected)))
            {
                _conferences.TryRemove(conference, out _);
                closing = media;
            }
        }
        if (closing is not null)
            await (await closing.Value.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
    }

    public async Task<bool> SetMutedAsync(string participantId, bool muted)
    {
        if (!_legs.TryGetValue(participantId, out var leg)) return false;
        await leg.Participant.SetMutedAsync(muted).ConfigureAwait(false);
        return true;
    }

    public MediaLegStatistics? GetStatistics(string participantId)
    {
        if (!_legs.TryGetValue(participantId, out var leg)) return null;
        var statistics = leg.Participant.GetStatistics();
        return new MediaLegStatistics(participantId, leg.Codec, statistics.PacketsReceived, statistics.PacketsLost,
            statistics.JitterMs, leg.Participant.RemoteRtpEndPoint?.ToString());
    }

    /// <summary>
    /// Adds a leg (or backplane end) to the conference's mixer, creating the mixer if this is its first. Many adds run at
    /// once (the media node grain is reentrant): each waits for its worker's next tick, and they all share that tick.
    /// </summary>
    private Task<MediaParticipant> AddToMixerAsync(string conference, MediaEndpointOptions endpoint) =>
        AddToMixerAsync(conference, media => media.AddParticipantAsync(endpoint));

    /// <summary>
    /// Adds something to the conference's mixer here (a leg, a backplane end, a browser's leg), creating the mixer if
    /// this is its first; a mixer created for an add that failed (ports exhausted, a browser offer refused) is closed again.
    /// </summary>
    private async Task<T> AddToMixerAsync<T>(string conference, Func<ConferenceMedia, Task<T>> add)
    {
        Lazy<Task<ConferenceMedia>> media;
        lock (_conferenceGate)
        {
            media = _conferences.GetOrAdd(conference, c => new Lazy<Task<ConferenceMedia>>(() => _engine.Value.CreateConferenceAsync(c)));
            _adding[conference] = _adding.GetValueOrDefault(conference) + 1;
        }
        T result;
        try
        {
            result = await add(await media.Value.ConfigureAwait(false)).ConfigureAwait(false);
        }
        catch
        {
            AddDone(conference);
            await CloseIfUnusedAsync(conference, null).ConfigureAwait(false);
            throw;
        }
        AddDone(conference);
        return result;
    }

    private void AddDone(string conference)
    {
        lock (_conferenceGate)
        {
            if (--_adding[conference] == 0) _adding.Remove(conference);
        }
    }

    private void OnDtmf(MediaLegRequest leg, DtmfDigit digit) =>
        _ = _grains.GetGrain<ISignalingNodeGrain>(leg.SignalingNode).Dtmf(leg.ParticipantId, digit.Digit.ToString())
            .ContinueWith(t => _logger.LogWarning(t.Exception, "Could not pass DTMF of {Participant} to {Node}", leg.ParticipantId, leg.SignalingNode),
                TaskContinuationOptions.OnlyOnFaulted);

    private static MediaAudioCodec CodecOf(string encodingName) => encodingName.ToUpperInvariant() switch
    {
        "OPUS" => MediaAudioCodec.Opus,
        "PCMU" => MediaAudioCodec.Pcmu,
        "PCMA" => MediaAudioCodec.Pcma,
        _ => throw new ArgumentException($"no media codec for '{encodingName}'", nameof(encodingName)),
    };

    public async ValueTask DisposeAsync()
    {
        await DisposeVideoAsync().ConfigureAwait(false);
        foreach (var conference in _conferences.Values)
        {
            try { await (await conference.Value.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false); }
            catch (Exception ex) { _logger.LogDebug(ex, "Closing a conference's media failed"); }
        }
        if (_engine.IsValueCreated) await _engine.Value.DisposeAsync().ConfigureAwait(false);
    }
}
