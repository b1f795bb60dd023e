using System.Net;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.Video.Codecs.Vp8;
using ConferenceCluster.Media.Video.Composition;
using ConferenceCluster.Media.Video.Rtp;
using ConferenceCluster.Media.Video.Workers;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Video.Mixing;

/// <summary>Settings of one conference's video on a node.</summary>
public sealed record VideoConferenceOptions
{
    /// <summary>The conference's Maximum call quality (R-QoS-1): the largest composite, and the size of main-position backplane streams.</summary>
    public VideoQuality MaximumQuality { get; init; } = VideoQuality.Hd;

    /// <summary>Below this level (dBFS) nobody is "speaking" for voice switching (default −50, the audio mixer's silence threshold).</summary>
    public double SpeakingThresholdDbfs { get; init; } = -50;

    /// <summary>A picture that has not changed is still sent this often (default 1 s), so a receiver that joined or lost a packet sees it.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// One conference's video on this node (the video side of <see cref="ConferenceMedia"/>): its participants' video legs,
/// its backplane video legs, and the pictures it composes for its local viewers. Per frame, on its video worker:
/// <list type="number">
/// <item>Voice switching: the loudest participant (local ones from the audio mixer through <see cref="ISpeakerActivity"/>,
/// remote ones from their backplane streams) goes to the <see cref="IVideoLayoutPolicy"/>, which answers with the
/// conference's distinct pictures.</item>
/// <item>Planning, when the pictures change: every local viewer is assigned the picture it sees at the resolution it
/// receives; each distinct (picture, resolution) gets one <see cref="PictureEncoder"/>, reusing the encoder that served
/// most of the same viewers before (so their streams continue; viewers who moved get a key frame).</item>
/// <item>Each encoder composes from the sources' scaled tiles (each source decoded once, scaled once per size),
/// encodes once, and every viewer's leg packetizes the same frame behind its own headers.</item>
/// <item>Backplanes: each local participant's picture is re-encoded at its backplane size and sent on every backplane.</item>
/// </list>
/// </summary>
/// <remarks>The async methods are the call controller's API (any thread); everything else runs on the worker.</remarks>
public sealed class VideoConference : IAsyncDisposable
{
    private readonly VideoEngine _engine;
    private readonly VideoOptions _options;
    private readonly IVideoLayoutPolicy _policy;
    private readonly List<VideoLeg> _legs = [];
    private readonly Dictionary<string, VideoLeg> _legsByKey = new(StringComparer.Ordinal);
    private readonly List<BackplaneVideoLeg> _backplanes = [];
    private readonly Dictionary<string, (VideoSource Source, BackplaneVideoLeg Leg)> _remoteSources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LocalSourceForward> _forwards = new(StringComparer.Ordinal);
    private readonly List<PictureEncoder> _encoders = [];
    private readonly I420Scaler _scaler = new();
    private readonly Func<string, VideoSource?> _sourceLookup;
    private readonly long _startMs;
    private readonly int _frameDuration90k;
    private readonly List<string> _idleRemotes = [];
    private long _planVersion = -1;
    private long _nextIdleCheckMs;
    private bool _rosterChanged = true;
    private long _framesComposed;
    private int _legCount;
    private volatile bool _closed;

    internal VideoConference(VideoEngine engine, VideoWorker worker, string conferenceId, VideoConferenceOptions options, IVideoLayoutPolicy policy)
    {
        _engine = engine;
        _options = engine.Options;
        Worker = worker;
        ConferenceId = conferenceId;
        Options = options;
        _policy = policy;
        MaximumResolution = VideoResolution.Of(options.MaximumQuality);
        _sourceLookup = SourceOf;
        _startMs = options is null ? 0 : engine.Options.TimeProvider.GetTimestamp() * 1000 / engine.Options.TimeProvider.TimestampFrequency;
        _frameDuration90k = Vp8Encoder.ClockRate / _options.FrameRate;
    }

    public string ConferenceId { get; }

    public VideoConferenceOptions Options { get; }

    public VideoWorker Worker { get; }

    /// <summary>The conference's largest composite (its Maximum call quality).</summary>
    public VideoResolution MaximumResolution { get; }

    public int LegCount => Volatile.Read(ref _legCount);

    /// <summary>Distinct (picture, resolution) encoders currently running (what a frame costs: one encode each).</summary>
    public Task<int> GetEncoderCountAsync() => Worker.InvokeAsync(() => _encoders.Count);

    /// <summary>Pictures composed and encoded so far.</summary>
    public long FramesComposed => Interlocked.Read(ref _framesComposed);

    /// <summary>
    /// Adds a participant's video leg: binds its own RTP/RTCP ports now (put <see cref="VideoLeg.LocalRtpPort"/> in the
    /// SDP answer's m=video line) and joins it from the next frame. Its resolution follows its capabilities and the
    /// conference's maximum quality.
    /// </summary>
    /// <exception cref="MediaPortsExhaustedException">No RTP port pair is left.</exception>
    /// <exception cref="InvalidOperationException">The participant already has a video leg here.</exception>
    public Task<VideoLeg> AddLegAsync(VideoLegOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        VideoResolution resolution = VideoResolution.ChooseFor(Options.MaximumQuality, options.ReceiveCapabilities);
        return BindAndAttachAsync(options.SymmetricRtp ?? _engine.Media.Options.SymmetricRtp,
            transport => new VideoLeg(this, options, transport, _options, resolution),
            leg =>
            {
                if (_legsByKey.ContainsKey(options.ParticipantKey))
                {
                    throw new InvalidOperationException($"Participant {options.ParticipantKey} already has a video leg in {ConferenceId}.");
                }

                if (_remoteSources.Remove(options.ParticipantKey, out var remote))
                {
                    // It moved here (a failover re-INVITE): the local leg is the source now.
                    remote.Leg.Forget(options.ParticipantKey);
                    remote.Source.Dispose();
                }

                _legs.Add(leg);
                _legsByKey.Add(options.ParticipantKey, leg);
                _rosterChanged = true;
                Interlocked.Increment(ref _legCount);
                Worker.LegsChanged(+1);
            });
    }

    /// <summary>Removes a video leg and releases its ports (the audio leg is the audio conference's business).</summary>
    /// <returns>False if it was not in this conference.</returns>
    public Task<bool> RemoveLegAsync(VideoLeg leg)
    {
        ArgumentNullException.ThrowIfNull(leg);
        return Worker.InvokeAsync(() => RemoveOnWorker(leg));
    }

    /// <summary>
    /// Opens this node's end of a backplane's video (<see cref="MixRole.LocalBackplane"/> inside a location,
    /// <see cref="MixRole.GeoBackplane"/> between locations' intermediaries); point it at the peer's end with
    /// <see cref="BackplaneVideoLeg.SetRemoteAsync"/>, as for the audio backplane leg beside it.
    /// </summary>
    public Task<BackplaneVideoLeg> AddBackplaneAsync(MixRole role, IPEndPoint? remoteRtp = null, IPEndPoint? remoteRtcp = null)
    {
        if (role is not (MixRole.LocalBackplane or MixRole.GeoBackplane))
        {
            throw new ArgumentOutOfRangeException(nameof(role), role, "A backplane is local or geo.");
        }

        return BindAndAttachAsync(symmetricRtp: false,
            transport =>
            {
                if (remoteRtp is not null)
                {
                    transport.SetRemote(remoteRtp, remoteRtcp);
                }

                return new BackplaneVideoLeg(this, role, transport, _options);
            },
            leg =>
            {
                _backplanes.Add(leg);
                foreach (LocalSourceForward forward in _forwards.Values)
                {
                    forward.RequestKeyframe(); // the new neighbour needs a picture to start from
                }
            });
    }

    public Task<bool> RemoveBackplaneAsync(BackplaneVideoLeg backplane)
    {
        ArgumentNullException.ThrowIfNull(backplane);
        return Worker.InvokeAsync(() => RemoveBackplaneOnWorker(backplane));
    }

    /// <summary>Runs <paramref name="change"/> on this conference's worker between frames (layout changes: roster, layout, spotlight).</summary>
    public Task InvokeAsync(Action change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return Worker.InvokeAsync(() =>
        {
            change();
            _rosterChanged = true;
            return true;
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_closed)
        {
            return;
        }

        await Worker.InvokeAsync(() =>
        {
            _closed = true;
            foreach (VideoLeg leg in _legs.ToArray())
            {
                RemoveOnWorker(leg);
            }

            foreach (BackplaneVideoLeg backplane in _backplanes.ToArray())
            {
                RemoveBackplaneOnWorker(backplane);
            }

            foreach (PictureEncoder encoder in _encoders)
            {
                encoder.Dispose();
            }

            _encoders.Clear();
            Worker.Detach(this);
            return true;
        }).ConfigureAwait(false);
        _engine.Forget(this);
    }

    /// <summary>Binds a port pair now (on the caller's thread), makes the leg, and joins it on the worker; the ports are released if that fails.</summary>
    private async Task<T> BindAndAttachAsync<T>(bool symmetricRtp, Func<RtpTransport, T> create, Action<T> attach)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        RtpTransport transport = RtpTransport.Bind(_engine.Media.Options.BindAddress, _engine.Media.PortAllocator, symmetricRtp, _options.SocketBufferBytes);
        try
        {
            T leg = create(transport);
            await Worker.InvokeAsync(() =>
            {
                ObjectDisposedException.ThrowIf(_closed, this);
                attach(leg);
                return true;
            }).ConfigureAwait(false);
            return leg;
        }
        catch
        {
            transport.Dispose();
            throw;
        }
    }

    /// <summary>The size a local participant travels at on the backplanes (default before its first forwarded frame); worker thread.</summary>
    internal VideoResolution ForwardTierOf(string key) => _forwards.TryGetValue(key, out LocalSourceForward? forward) ? forward.Tier : default;

    /// <summary>The remote source <paramref name="key"/> if <paramref name="leg"/> is the backplane that brings it.</summary>
    internal VideoSource? RemoteSourceOwnedBy(string key, BackplaneVideoLeg leg) =>
        _remoteSources.TryGetValue(key, out var remote) && remote.Leg == leg ? remote.Source : null;

    /// <summary>The decoded video of a participant, local or remote (worker thread).</summary>
    internal VideoSource? SourceOf(string key) =>
        _legsByKey.TryGetValue(key, out VideoLeg? leg) ? leg.Source : _remoteSources.TryGetValue(key, out var remote) ? remote.Source : null;

    /// <summary>
    /// The source a backplane decodes a remote participant into: made for the first backplane that brings it; null if
    /// the participant is local here or another backplane already brings it (so nobody appears twice).
    /// </summary>
    internal VideoSource? RemoteSourceFor(string key, BackplaneVideoLeg from)
    {
        if (_legsByKey.ContainsKey(key))
        {
            return null;
        }

        if (_remoteSources.TryGetValue(key, out var remote))
        {
            return remote.Leg == from ? remote.Source : null;
        }

        var source = new VideoSource(key, isLocal: false, _options.MaxDecodeMacroblocks);
        _remoteSources.Add(key, (source, from));
        return source;
    }

    /// <summary>Sends a packet that arrived on <paramref name="from"/> on to every other backplane (split horizon).</summary>
    internal void Forward(BackplaneVideoLeg from, ReadOnlySpan<byte> packet)
    {
        foreach (BackplaneVideoLeg backplane in _backplanes)
        {
            if (from.CanForwardTo(backplane))
            {
                backplane.Send(packet);
            }
        }
    }

    /// <summary>A backplane neighbour lost packets of <paramref name="ssrc"/>: ours, or one we forwarded.</summary>
    internal void OnBackplaneNack(BackplaneVideoLeg to, uint ssrc, ReadOnlySpan<ushort> sequences)
    {
        foreach (LocalSourceForward forward in _forwards.Values)
        {
            if (forward.Stream.Ssrc == ssrc)
            {
                var sender = new BackplaneSender(to);
                forward.Stream.Retransmit(sequences, ref sender);
                return;
            }
        }

        foreach (BackplaneVideoLeg backplane in _backplanes)
        {
            if (backplane != to && backplane.TryRetransmitForwarded(ssrc, sequences, to))
            {
                return;
            }
        }
    }

    /// <summary>A backplane neighbour needs a key frame of <paramref name="ssrc"/>: ours is re-encoded, a forwarded one asked upstream.</summary>
    internal void OnBackplaneKeyframeRequest(uint ssrc, long nowMs)
    {
        foreach (LocalSourceForward forward in _forwards.Values)
        {
            if (forward.Stream.Ssrc == ssrc)
            {
                forward.RequestKeyframe();
                return;
            }
        }

        foreach (BackplaneVideoLeg backplane in _backplanes)
        {
            backplane.RequestKeyframeUpstream(ssrc, nowMs);
        }
    }

    /// <summary>A viewer asked for a key frame (PLI/FIR): its picture's encoder makes one (rate-limited there).</summary>
    internal void OnKeyframeRequested(VideoLeg leg, long nowMs) => leg.Encoder?.RequestKeyframe();

    /// <summary>Drains every leg's sockets (worker thread, at every poll).</summary>
    internal void Receive(Span<byte> buffer, SocketAddress source, long nowMs)
    {
        foreach (VideoLeg leg in _legs)
        {
            leg.Receive(buffer, source, nowMs);
        }

        foreach (BackplaneVideoLeg backplane in _backplanes)
        {
            backplane.Receive(buffer, source, nowMs);
        }
    }

    /// <summary>One frame: voice switching, planning, composing, encoding, sending (worker thread).</summary>
    internal void Tick(long nowMs)
    {
        long mediaTime90k = (nowMs - _startMs) * 90;
        long version = _policy.Update(TimeSpan.FromMilliseconds(nowMs - _startMs), Loudest(nowMs));
        if (version != _planVersion || _rosterChanged)
        {
            Plan(nowMs);
            _planVersion = version;
            _rosterChanged = false;
        }

        long keyframeIntervalMs = (long)_options.KeyframeRequestInterval.TotalMilliseconds;
        long refreshMs = (long)Options.RefreshInterval.TotalMilliseconds;
        foreach (PictureEncoder encoder in _encoders)
        {
            if (encoder.EncodeAndSend(_sourceLookup, _scaler, nowMs, mediaTime90k, _frameDuration90k, keyframeIntervalMs, refreshMs))
            {
                Interlocked.Increment(ref _framesComposed);
            }
        }

        SendOnBackplanes(nowMs, mediaTime90k, keyframeIntervalMs);
        foreach (VideoLeg leg in _legs)
        {
            leg.SendReportIfDue(nowMs);
            leg.Source?.DropUnusedTiles(nowMs);
        }

        foreach (BackplaneVideoLeg backplane in _backplanes)
        {
            backplane.SendReportIfDue(nowMs);
        }

        foreach (var remote in _remoteSources.Values)
        {
            remote.Source.DropUnusedTiles(nowMs);
        }

        if (nowMs >= _nextIdleCheckMs)
        {
            ForgetIdleRemoteSources(nowMs);
            _nextIdleCheckMs = nowMs + 1000;
        }
    }

    /// <summary>Remote participants whose streams stopped long ago: their decoders go (they left, or stopped their camera).</summary>
    private void ForgetIdleRemoteSources(long nowMs)
    {
        long idleMs = (long)_options.RemoteSourceIdleTimeout.TotalMilliseconds;
        foreach (var entry in _remoteSources)
        {
            if (nowMs - entry.Value.Source.LastLevelMs > idleMs)
            {
                _idleRemotes.Add(entry.Key);
            }
        }

        foreach (string key in _idleRemotes)
        {
            if (_remoteSources.Remove(key, out var remote))
            {
                remote.Leg.Forget(key);
                remote.Source.Dispose();
            }
        }

        _idleRemotes.Clear();
    }

    /// <summary>The participant speaking loudest now, above the threshold (local: the audio mixer; remote: their backplane stream).</summary>
    private string? Loudest(long nowMs)
    {
        string? loudest = null;
        double level = Options.SpeakingThresholdDbfs;
        foreach (VideoLeg leg in _legs)
        {
            double legLevel = leg.Options.Speaker?.SpeechLevelDbfs ?? MediaParticipant.SilentDbfs;
            if (leg.Source is { } source)
            {
                source.LevelDbfs = legLevel; // travels with its backplane stream
            }

            if (legLevel > level)
            {
                (loudest, level) = (leg.ParticipantKey, legLevel);
            }
        }

        foreach (var remote in _remoteSources.Values)
        {
            // A level is only as fresh as the last packet that carried it.
            if (nowMs - remote.Source.LastLevelMs < 500 && remote.Source.LevelDbfs > level)
            {
                (loudest, level) = (remote.Source.Key, remote.Source.LevelDbfs);
            }
        }

        return loudest;
    }

    /// <summary>Assigns every local viewer its (picture, resolution) encoder, keeping encoders with the viewers they served.</summary>
    private void Plan(long nowMs)
    {
        IReadOnlyList<VideoPictureLayout> pictures = _policy.Pictures;
        foreach (PictureEncoder encoder in _encoders)
        {
            encoder.InUse = false;
        }

        // Group local viewers by (picture, resolution).
        var groups = new List<(VideoPictureLayout Picture, VideoResolution Resolution, List<VideoLeg> Viewers)>();
        foreach (VideoPictureLayout picture in pictures)
        {
            foreach (string viewer in picture.Viewers)
            {
                if (!_legsByKey.TryGetValue(viewer, out VideoLeg? leg) || !leg.Options.Receives)
                {
                    continue;
                }

                int index = groups.FindIndex(g => g.Picture == picture && g.Resolution == leg.Resolution);
                if (index < 0)
                {
                    groups.Add((picture, leg.Resolution, [leg]));
                }
                else
                {
                    groups[index].Viewers.Add(leg);
                }
            }
        }

        // Largest groups first pick the old encoder that served most of their viewers.
        foreach (var group in groups.OrderByDescending(g => g.Viewers.Count))
        {
            PictureEncoder? best = null;
            int bestOverlap = -1;
            foreach (PictureEncoder candidate in _encoders)
            {
                if (candidate.InUse || candidate.Resolution != group.Resolution)
                {
                    continue;
                }

                int overlap = group.Viewers.Count(v => v.Encoder == candidate);
                if (overlap > bestOverlap)
                {
                    (best, bestOverlap) = (candidate, overlap);
                }
            }

            if (best is null)
            {
                best = new PictureEncoder(group.Resolution, _options.EncoderCpuUsed);
                _encoders.Add(best);
            }

            best.InUse = true;
            best.SetLayout(group.Picture.Tiles);
            best.Viewers.Clear();
            foreach (VideoLeg viewer in group.Viewers)
            {
                if (viewer.Encoder != best)
                {
                    best.RequestKeyframe(); // this viewer's stream now comes from another encoder: it needs a key frame
                    viewer.Encoder = best;
                }

                best.Viewers.Add(viewer);
            }
        }

        for (int i = _encoders.Count - 1; i >= 0; i--)
        {
            if (!_encoders[i].InUse)
            {
                _encoders[i].Dispose();
                _encoders.RemoveAt(i);
            }
        }

        foreach (VideoLeg leg in _legs)
        {
            if (leg.Encoder is { InUse: false } || (leg.Encoder is not null && !leg.Encoder.Viewers.Contains(leg)))
            {
                leg.Encoder = null; // it sees no picture now (or its picture is gone)
            }
        }
    }

    /// <summary>Each local participant's newest picture, at its backplane size, to every backplane.</summary>
    private void SendOnBackplanes(long nowMs, long mediaTime90k, long keyframeIntervalMs)
    {
        if (_backplanes.Count == 0)
        {
            return;
        }

        IReadOnlyCollection<string> main = _policy.MainSources;
        foreach (VideoLeg leg in _legs)
        {
            if (leg.Source is not { } source)
            {
                continue;
            }

            if (!_forwards.TryGetValue(leg.ParticipantKey, out LocalSourceForward? forward))
            {
                forward = new LocalSourceForward(source, _options.RetransmissionHistory, _options.EncoderCpuUsed);
                _forwards.Add(leg.ParticipantKey, forward);
            }

            VideoResolution tier = main.Contains(leg.ParticipantKey) ? MaximumResolution : _options.BackplaneThumbnail;
            if (forward.TryEncode(tier, _scaler, nowMs, mediaTime90k, _frameDuration90k, keyframeIntervalMs, out VideoSendStream.FramePacketizer packets))
            {
                while (packets.TryNext(out ReadOnlySpan<byte> packet))
                {
                    foreach (BackplaneVideoLeg backplane in _backplanes)
                    {
                        backplane.Send(packet);
                    }
                }
            }
        }
    }

    private bool RemoveOnWorker(VideoLeg leg)
    {
        if (!_legsByKey.Remove(leg.ParticipantKey))
        {
            return false;
        }

        _legs.Remove(leg);
        leg.Encoder?.Viewers.Remove(leg);
        leg.Encoder = null;
        if (_forwards.Remove(leg.ParticipantKey, out LocalSourceForward? forward))
        {
            forward.Dispose();
        }

        leg.SendGoodbye();
        leg.Source?.Dispose();
        leg.Transport.Dispose();
        _rosterChanged = true;
        Interlocked.Decrement(ref _legCount);
        Worker.LegsChanged(-1);
        return true;
    }

    private bool RemoveBackplaneOnWorker(BackplaneVideoLeg backplane)
    {
        if (!_backplanes.Remove(backplane))
        {
            return false;
        }

        foreach (var entry in _remoteSources.Where(e => e.Value.Leg == backplane).ToArray())
        {
            _remoteSources.Remove(entry.Key);
            entry.Value.Source.Dispose();
        }

        backplane.Transport.Dispose();
        _rosterChanged = true;
        return true;
    }

    private readonly struct BackplaneSender(BackplaneVideoLeg leg) : IRtpPacketSender
    {
        public void Send(ReadOnlySpan<byte> packet) => leg.Send(packet);
    }
}
