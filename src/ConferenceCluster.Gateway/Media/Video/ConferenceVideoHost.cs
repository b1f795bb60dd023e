using System.Net;
using ConferenceCluster.Conferencing.Layouts;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Video.Mixing;
using ConferenceCluster.Media.Video.Workers;

namespace ConferenceCluster.Gateway.Media.Video;

/// <summary>
/// One conference's video on this media node: the state its grain handed over (roster, layout, quality), the
/// <see cref="VideoConference"/> that composes its local viewers' pictures, started with the first video leg or backplane
/// end and stopped with the last, and those legs. The grain's states keep arriving whether or not the video runs, so a
/// (re)started <see cref="VideoConference"/> always begins from the newest roster and layout.
/// </summary>
/// <remarks>Thread-safe: every change runs under one async gate (the media node grain is reentrant).</remarks>
internal sealed class ConferenceVideoHost(string conference, Func<VideoEngine> engine) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, VideoLeg> _legs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BackplaneVideoLeg> _backplanes = new(StringComparer.Ordinal);
    private VideoConference? _video;
    private ConferenceVideoLayout? _layout;
    private bool _disposed;

    public string Conference { get; } = conference;

    /// <summary>The newest state the conference grain handed over.</summary>
    public ConferenceVideoState? State { get; private set; }

    /// <summary>Whether its <see cref="VideoConference"/> is running (it has a video leg or backplane end here).</summary>
    public bool IsRunning => Volatile.Read(ref _video) is not null;

    /// <summary>Takes a newer state (an older one, overtaken on its way, is dropped) and hands its roster and layout to the running composition.</summary>
    public Task ApplyAsync(ConferenceVideoState state) => UnderGateAsync(async () =>
    {
        if (!state.IsNewerThan(State)) return false;
        State = state;
        if (_layout is not null) await _layout.ApplyAsync(state.Roster, state.Layout).ConfigureAwait(false);
        return true;
    });

    /// <exception cref="InvalidOperationException">No state yet, or the participant has a video leg here already.</exception>
    public Task<VideoLeg> AddLegAsync(VideoLegOptions options) => UnderGateAsync(async () =>
    {
        if (_legs.ContainsKey(options.ParticipantKey))
            throw new InvalidOperationException($"participant {options.ParticipantKey} already has a video leg in {Conference}");
        var video = await StartedAsync().ConfigureAwait(false);
        VideoLeg leg;
        try
        {
            leg = await video.AddLegAsync(options).ConfigureAwait(false);
        }
        catch
        {
            await StopIfUnusedAsync().ConfigureAwait(false);
            throw;
        }
        _legs[options.ParticipantKey] = leg;
        return leg;
    });

    public Task<bool> RemoveLegAsync(string participantId) => UnderGateAsync(async () =>
    {
        if (!_legs.Remove(participantId, out var leg)) return false;
        await leg.Conference.RemoveLegAsync(leg).ConfigureAwait(false);
        await StopIfUnusedAsync().ConfigureAwait(false);
        return true;
    });

    /// <summary>This node's video end of the backplane to <paramref name="peer"/>, opened now or found open (idempotent, as the audio end).</summary>
    public Task<BackplaneVideoLeg> OpenBackplaneAsync(string peer, MixRole role) => UnderGateAsync(async () =>
    {
        if (_backplanes.TryGetValue(peer, out var open)) return open;
        var video = await StartedAsync().ConfigureAwait(false);
        BackplaneVideoLeg end;
        try
        {
            end = await video.AddBackplaneAsync(role).ConfigureAwait(false);
        }
        catch
        {
            await StopIfUnusedAsync().ConfigureAwait(false);
            throw;
        }
        _backplanes[peer] = end;
        return end;
    });

    public Task<bool> ConnectBackplaneAsync(string peer, IPEndPoint rtp, IPEndPoint rtcp) => UnderGateAsync(async () =>
    {
        if (!_backplanes.TryGetValue(peer, out var end)) return false;
        await end.SetRemoteAsync(rtp, rtcp).ConfigureAwait(false);
        return true;
    });

    public Task<bool> CloseBackplaneAsync(string peer) => UnderGateAsync(async () =>
    {
        if (!_backplanes.Remove(peer, out var end)) return false;
        await _video!.RemoveBackplaneAsync(end).ConfigureAwait(false);
        await StopIfUnusedAsync().ConfigureAwait(false);
        return true;
    });

    /// <summary>Starts the composition from the newest state (first video leg or backplane end).</summary>
    private async Task<VideoConference> StartedAsync()
    {
        if (_video is not null) return _video;
        var state = State ?? throw new InvalidOperationException($"conference {Conference} has no video on this node (no video state from its grain)");
        var (video, layout) = await ConferenceVideoLayout.StartAsync(engine(), Conference, ConferenceLayoutSettings.MeetingRoom(state.Layout),
            new VideoConferenceOptions { MaximumQuality = NegotiatedVideoLegs.QualityOf(state.MaximumQuality) }).ConfigureAwait(false);
        await layout.ApplyAsync(state.Roster, state.Layout).ConfigureAwait(false);
        _layout = layout;
        Volatile.Write(ref _video, video);
        return video;
    }

    /// <summary>The last video leg or backplane end takes the composition with it (its worker and encoders are freed).</summary>
    private async Task StopIfUnusedAsync()
    {
        if (_video is not { } video || _legs.Count > 0 || _backplanes.Count > 0) return;
        Volatile.Write(ref _video, null);
        _layout = null;
        await video.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<T> UnderGateAsync<T>(Func<Task<T>> change)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return await change().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The conference's video leaves this node: its legs say BYE and release their ports.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            _disposed = true;
            _legs.Clear();
            _backplanes.Clear();
            if (Interlocked.Exchange(ref _video, null) is { } video) await video.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
