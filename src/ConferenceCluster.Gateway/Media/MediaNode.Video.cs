using System.Collections.Concurrent;
using System.Net;
using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Conferencing.Layouts;
using ConferenceCluster.Gateway.Media.Video;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Video.Mixing;
using ConferenceCluster.Media.Video.Workers;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Gateway.Media;

/// <summary>
/// Video on this media node (issue 14): each conference's video (<see cref="ConferenceVideoHost"/>) runs beside its audio
/// mixer on the node's <see cref="VideoEngine"/>, from the state its conference grain hands over; a participant's video
/// leg sits beside its audio leg (whose voice switches the layouts), a backplane end gets a video leg beside its audio one.
/// </summary>
public sealed partial class MediaNode
{
    private readonly ConcurrentDictionary<string, ConferenceVideoHost> _videos = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (ConferenceVideoHost Host, VideoLeg Leg)> _videoLegs = new(StringComparer.Ordinal);
    private VideoEngine? _videoEngine;
    private object? _videoEngineGate;

    /// <summary>The node's video workers, started with the first conference that composes here (a node without video spends no threads on it).</summary>
    private VideoEngine VideoEngine => LazyInitializer.EnsureInitialized(ref _videoEngine, ref _videoEngineGate,
        () => new VideoEngine(_engine.Value, new VideoOptions { WorkerCount = _options.VideoWorkers ?? Environment.ProcessorCount }));

    public int VideoLegCount => _videoLegs.Count;

    /// <summary>Conferences composing video here now (they have a video leg or backplane end here).</summary>
    public int VideoConferenceCount => _videos.Values.Count(v => v.IsRunning);

    /// <summary>The conference's video state as its grain decided it; null: its media left this node.</summary>
    public async Task SetVideoLayoutAsync(string conference, ConferenceVideoState? state)
    {
        if (state is null)
        {
            if (!_videos.TryRemove(conference, out var gone)) return;
            foreach (var leg in _videoLegs.Where(l => l.Value.Host == gone).ToList()) _videoLegs.TryRemove(leg);
            await gone.DisposeAsync().ConfigureAwait(false);
            _logger.LogInformation("Conference {Conference}: its video left this node", conference);
            return;
        }
        var host = _videos.GetOrAdd(conference, c => new ConferenceVideoHost(c, () => VideoEngine));
        await host.ApplyAsync(state).ConfigureAwait(false);
    }

    /// <summary>A participant's video leg beside its audio leg here; its audio leg's level drives voice switching.</summary>
    public async Task<MediaLegAddress> AddVideoLegAsync(VideoLegRequest request)
    {
        if (_videoLegs.ContainsKey(request.ParticipantId))
            throw new InvalidOperationException($"participant {request.ParticipantId} already has a video leg here");
        if (!_videos.TryGetValue(request.Conference, out var host))
            throw new InvalidOperationException($"conference {request.Conference} has no video on this node");
        var speaker = _legs.TryGetValue(request.ParticipantId, out var audio) && audio.Conference == request.Conference
            ? new AudioLegSpeakerActivity(audio.Participant)
            : null;
        var leg = await host.AddLegAsync(request.ToLegOptions(speaker)).ConfigureAwait(false);
        _videoLegs[request.ParticipantId] = (host, leg);
        _logger.LogInformation("Call {Participant} in {Conference}: video leg on port {Port}, receives {Resolution}",
            request.ParticipantId, request.Conference, leg.LocalRtpPort, leg.Resolution);
        return new MediaLegAddress(_options.AdvertisedAddress, leg.LocalRtpPort, leg.LocalRtcpPort);
    }

    public async Task UpdateVideoRemoteAsync(string participantId, string remoteAddress, int remoteRtpPort, int remoteRtcpPort)
    {
        if (!_videoLegs.TryGetValue(participantId, out var video)) return;
        var address = IPAddress.Parse(remoteAddress);
        await video.Leg.SetRemoteAsync(new IPEndPoint(address, remoteRtpPort), new IPEndPoint(address, remoteRtcpPort)).ConfigureAwait(false);
    }

    public async Task<bool> RemoveVideoLegAsync(string participantId)
    {
        if (!_videoLegs.TryRemove(participantId, out var video)) return false;
        try
        {
            return await video.Host.RemoveLegAsync(participantId).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return true; // its conference's video left meanwhile, and the leg with it
        }
    }

    public VideoLegStatus? GetVideoStatus(string participantId)
    {
        if (!_videoLegs.TryGetValue(participantId, out var video)) return null;
        var statistics = video.Leg.GetStatistics();
        return new VideoLegStatus(participantId, statistics.PacketsReceived, statistics.FramesDecoded, statistics.PacketsSent, statistics.FramesSent,
            statistics.Resolution.ToString());
    }

    /// <summary>
    /// Both parts of this node's backplane end: the audio leg, and, in a conference with video here, a video leg. A video
    /// part that cannot be opened is logged and left out: the audio still carries.
    /// </summary>
    public async Task<BackplaneEndAddress> OpenBackplaneEndAsync(string conference, string peer, BackplaneKind kind)
    {
        var audio = await OpenBackplaneAsync(conference, peer, kind, null).ConfigureAwait(false);
        if (!_videos.TryGetValue(conference, out var host) || host.State is null) return new BackplaneEndAddress(audio, null);
        try
        {
            var end = await host.OpenBackplaneAsync(peer, kind == BackplaneKind.Geo ? MixRole.GeoBackplane : MixRole.LocalBackplane).ConfigureAwait(false);
            return new BackplaneEndAddress(audio, new MediaLegAddress(_options.AdvertisedAddress, end.LocalRtpPort, end.LocalRtcpPort));
        }
        catch (InvalidOperationException ex) // no ports left, or its video left meanwhile (ObjectDisposedException)
        {
            _logger.LogWarning(ex, "Conference {Conference}: the backplane to {Peer} carries no video", conference, peer);
            return new BackplaneEndAddress(audio, null);
        }
    }

    public async Task<bool> ConnectBackplaneEndAsync(string conference, string peer, BackplaneEndAddress remote)
    {
        if (!await ConnectBackplaneAsync(conference, peer, remote.Audio).ConfigureAwait(false)) return false;
        if (remote.Video is { } video && _videos.TryGetValue(conference, out var host))
        {
            var address = IPAddress.Parse(video.Address);
            if (await host.ConnectBackplaneAsync(peer, new IPEndPoint(address, video.RtpPort), new IPEndPoint(address, video.RtcpPort)).ConfigureAwait(false))
                _logger.LogInformation("Conference {Conference}: the backplane to {Peer} carries video (peer port {Port})", conference, peer, video.RtpPort);
        }
        return true;
    }

    /// <summary>The video part of a backplane end goes with its audio part.</summary>
    private async Task CloseBackplaneVideoAsync(string conference, string peer)
    {
        if (!_videos.TryGetValue(conference, out var host)) return;
        try
        {
            await host.CloseBackplaneAsync(peer).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // its conference's video left meanwhile, and the backplane's video with it
        }
    }

    private async Task DisposeVideoAsync()
    {
        foreach (var host in _videos.Values)
        {
            try { await host.DisposeAsync().ConfigureAwait(false); }
            catch (Exception ex) { _logger.LogDebug(ex, "Closing a conference's video failed"); }
        }
        _videos.Clear();
        _videoLegs.Clear();
        if (_videoEngine is { } engine) await engine.DisposeAsync().ConfigureAwait(false);
    }
}
