using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Transport;

namespace ConferenceCluster.Media.Workers;

/// <summary>What the mixer knows of one participant's voice, for status and voice switching: a snapshot, at most a tick old.</summary>
/// <param name="LevelDbfs">Smoothed speech level (instant attack, slow release), dBFS; −130 for silence.</param>
/// <param name="Speaking">The level is above the mixer's silence threshold.</param>
/// <param name="InSpeakerSet">The participant is among the N loudest being mixed.</param>
/// <param name="LevelsTrusted">Its RFC 6464 levels are used (false if it sends none, or after they were found lying).</param>
public readonly record struct ParticipantSpeech(double LevelDbfs, bool Speaking, bool InSpeakerSet, bool LevelsTrusted);

/// <summary>
/// One conference's audio on this node (a mediasoup "router" that mixes): a <see cref="ConferenceMixer"/> on its home
/// <see cref="MediaWorker"/>, and the participants' RTP legs, which may live on several workers (<see cref="ConferenceShard"/>).
/// Every 20 ms each shard's worker pulls its legs' next frames from their jitter buffers (decoding only those without
/// a usable RFC 6464 level), the home mixes once (decoding the few chosen speakers), and each shard's worker sends its
/// listeners their payload: a payload shared by a codec group goes to every member as-is, behind that member's own
/// header; a speaker's own mix-minus is encoded by the worker that sends it.
/// </summary>
/// <remarks>
/// <para>
/// A conference starts on one worker and stays there while it is small (<see cref="MediaOptions.ConferenceSpreadThreshold"/>):
/// then capture, mix and send run back to back in one tick, exactly as a conference pinned to a core. Past the
/// threshold, new legs go to the least loaded worker, so a conference of thousands uses every core of the node.
/// </para>
/// <para>
/// The async methods are the call controller's API and may be called from any thread: they bind sockets on the
/// caller's thread and hand the change to the workers, which apply it between ticks.
/// </para>
/// </remarks>
public sealed class ConferenceMedia : IAsyncDisposable, IPendingFrameDecoder
{
    private readonly MediaEngine _engine;
    private readonly ConferenceMixer _mixer;
    private readonly object _shardsLock = new();
    private volatile ConferenceShard[] _shards = [];

    // Home worker only.
    private readonly List<MediaParticipant> _participants = [];
    private readonly Dictionary<MixerParticipantId, MediaParticipant> _participantsById = [];
    private long _mixedGeneration;
    private long _mixingGeneration;

    private int _nextParticipantId;
    private int _participantCount;
    private int _placedLegs;
    private volatile bool _closed;

    internal ConferenceMedia(MediaEngine engine, MediaWorker worker, string conferenceId, ConferenceMixerOptions mixerOptions)
    {
        _engine = engine;
        Worker = worker;
        ConferenceId = conferenceId;
        _mixer = new ConferenceMixer(mixerOptions);
    }

    public string ConferenceId { get; }

    /// <summary>The conference's home worker: it mixes. Legs may live on other workers too (<see cref="Workers"/>).</summary>
    public MediaWorker Worker { get; }

    /// <summary>Every worker that carries legs of this conference, the home first.</summary>
    public IReadOnlyList<MediaWorker> Workers => _shards.Select(s => s.Worker).ToArray();

    public int ParticipantCount => Volatile.Read(ref _participantCount);

    /// <summary>Ticks mixed so far.</summary>
    public long TickCount => Volatile.Read(ref _mixedGeneration);

    /// <summary>The last mix every shard may send (release by the home, acquire by the shards).</summary>
    internal long MixedGeneration => Volatile.Read(ref _mixedGeneration);

    /// <summary>The mixer's silence threshold: below it a participant is not speaking.</summary>
    public double SilenceThresholdDbfs => _mixer.Options.SilenceThresholdDbfs;

    /// <summary>Frames the mixer decoded because their participant was chosen (or audited) by level.</summary>
    public long PendingDecodes => _mixer.PendingDecodes;

    /// <summary>Times a participant's RFC 6464 levels were found lying and ignored for a while.</summary>
    public long LevelsDistrusted => _mixer.LevelsDistrusted;

    /// <summary>
    /// Adds a participant's audio leg: allocates and binds its local RTP/RTCP ports now, and joins it to the mix
    /// from the next tick. Put <see cref="MediaParticipant.LocalRtpPort"/> in the SDP answer.
    /// </summary>
    /// <exception cref="InvalidOperationException">The port range is exhausted, or the conference is closed.</exception>
    public async Task<MediaParticipant> AddParticipantAsync(MediaEndpointOptions endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        endpoint.Validate();
        ObjectDisposedException.ThrowIf(_closed, this);
        MediaOptions options = _engine.Options;
        RtpTransport transport = RtpTransport.Bind(options.BindAddress, _engine.PortAllocator, endpoint.ResolveSymmetricRtp(options), options.SocketBufferBytes);
        return await AddParticipantAsync(endpoint, transport).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds a participant whose transport is already bound (a WebRTC leg's DTLS-SRTP port); from now on the
    /// participant owns it and disposes it when it leaves, or at once if joining fails.
    /// </summary>
    internal async Task<MediaParticipant> AddParticipantAsync(MediaEndpointOptions endpoint, IMediaTransport transport)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(transport);
        MediaOptions options = _engine.Options;
        MediaParticipant? participant = null;
        MediaWorker placed = PlaceNextLeg();
        bool inShard = false;
        try
        {
            ConferenceShard shard = ShardFor(placed);
            var id = new MixerParticipantId(Interlocked.Increment(ref _nextParticipantId));
            participant = new MediaParticipant(this, shard.Worker, id, endpoint, transport, options);
            MediaParticipant added = participant;
            // The mixer first (home), then the shard: a frame is never captured for a participant the mixer does not know.
            await Worker.InvokeAsync(() =>
            {
                ObjectDisposedException.ThrowIf(_closed, this);
                _mixer.AddParticipant(id, added.Profile, added.Role);
                added.AttachMixer(_mixer.ParticipantOf(id));
                _participants.Add(added);
                _participantsById.Add(id, added);
                return true;
            }).ConfigureAwait(false);
            await shard.Worker.InvokeAsync(() =>
            {
                shard.Worker.Attach(shard);
                shard.Add(added);
                shard.Worker.ParticipantsChanged(+1);
                Interlocked.Increment(ref _participantCount);
                return inShard = true;
            }).ConfigureAwait(false);
            return participant;
        }
        catch
        {
            if (!inShard)
            {
                placed.LegPlaced(-1);
                Interlocked.Decrement(ref _placedLegs);
            }

            if (participant is not null)
            {
                await Worker.InvokeAsync(() => ForgetOnHome(participant)).ConfigureAwait(false);
            }

            transport.Dispose();
            throw;
        }
    }

    /// <summary>Removes a participant's leg and releases its ports.</summary>
    /// <returns>False if it was not in this conference.</returns>
    public async Task<bool> RemoveParticipantAsync(MediaParticipant participant)
    {
        ArgumentNullException.ThrowIfNull(participant);
        if (!ReferenceEquals(participant.Conference, this))
        {
            return false;
        }

        bool removed = await participant.Worker.InvokeAsync(() => RemoveFromShard(participant)).ConfigureAwait(false);
        await Worker.InvokeAsync(() => ForgetOnHome(participant)).ConfigureAwait(false);
        return removed;
    }

    /// <summary>Every participant's speech state, read on the home worker (for status pages and voice switching).</summary>
    public Task<IReadOnlyList<(MediaParticipant Participant, ParticipantSpeech Speech)>> GetSpeechAsync() =>
        Worker.InvokeAsync<IReadOnlyList<(MediaParticipant, ParticipantSpeech)>>(() => _participants.Select(p => (p, p.Speech)).ToArray());

    /// <summary>Removes every participant, the mixer, and detaches the conference from its workers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        MediaParticipant[] participants = await Worker.InvokeAsync(() => _participants.ToArray()).ConfigureAwait(false);
        foreach (ConferenceShard shard in _shards)
        {
            // One hand-over per worker, not per leg: a town hall closes in a tick.
            await shard.Worker.InvokeAsync(() =>
            {
                foreach (MediaParticipant participant in participants)
                {
                    if (participant.Worker == shard.Worker)
                    {
                        RemoveFromShard(participant);
                    }
                }

                return shard.Worker.Detach(shard);
            }).ConfigureAwait(false);
        }

        await Worker.InvokeAsync(() =>
        {
            foreach (MediaParticipant participant in _participants.ToArray())
            {
                ForgetOnHome(participant);
            }

            _mixer.Dispose();
            Worker.DetachHome(this);
            return true;
        }).ConfigureAwait(false);
        _engine.Forget(this);
    }

    /// <summary>
    /// The call legs (not backplanes) the mixer chose as speakers on its last tick: the loudest voices above its silence
    /// threshold, held a little after they fall quiet (<see cref="SpeakerSelector"/>). A muted leg is never among them.
    /// Read on the home worker, so callers on any thread see one tick's set; not for the hot path (one small list per call).
    /// </summary>
    public Task<IReadOnlyList<MediaParticipant>> GetSpeakersAsync() => Worker.InvokeAsync<IReadOnlyList<MediaParticipant>>(() =>
        _participants.Where(p => p.Role == MixRole.Endpoint && _mixer.IsInSpeakerSet(p.Id)).ToList());

    /// <summary>
    /// Home worker: mixes the next generation once every shard has captured it, and publishes it to the shards.
    /// Returns without waiting when a shard is not there yet (its worker will be, at this worker's next poll).
    /// </summary>
    internal void TryMix()
    {
        long generation = _mixedGeneration + 1;
        ConferenceShard[] shards = _shards;
        foreach (ConferenceShard shard in shards)
        {
            if (shard.CapturedGeneration != generation)
            {
                return;
            }
        }

        if (shards.Length == 0)
        {
            return;
        }

        if (_participants.Count > 0)
        {
            foreach (MediaParticipant participant in _participants)
            {
                participant.SubmitCapturedFrame(_mixer, generation);
            }

            _mixingGeneration = generation;
            MixTickResult result = _mixer.Mix(this);
            foreach (ListenerOutput output in result.ListenerOutputs)
            {
                _participantsById[output.Listener].SetOutput(output.Output, generation);
            }
        }

        Volatile.Write(ref _mixedGeneration, generation);
    }

    bool IPendingFrameDecoder.DecodePendingFrame(MixerParticipantId id, Span<short> frame) =>
        _participantsById[id].DecodePendingFrame(frame);

    /// <summary>The mixer counts its own ticks; legs count generations (which also pass while the conference is empty).</summary>
    void IPendingFrameDecoder.OnLevelsDistrusted(MixerParticipantId id, long untilTick) =>
        _participantsById[id].DistrustLevelsUntil(_mixingGeneration + (untilTick - _mixer.TickCount));

    /// <summary>The home worker while the conference is small; past the spread threshold, the least loaded worker.</summary>
    private MediaWorker PlaceNextLeg()
    {
        // Counted at placement, not when the worker has added the leg: joins arrive in bursts.
        MediaWorker worker = Interlocked.Increment(ref _placedLegs) <= _engine.Options.ConferenceSpreadThreshold
            ? Worker
            : _engine.Workers.MinBy(w => w.PlacedLegs)!;
        worker.LegPlaced(+1);
        return worker;
    }

    private ConferenceShard ShardFor(MediaWorker worker)
    {
        lock (_shardsLock)
        {
            foreach (ConferenceShard existing in _shards)
            {
                if (existing.Worker == worker)
                {
                    return existing;
                }
            }

            // A new shard joins the hand-over at the generation after the current one: the home waits for its first
            // capture (its worker attaches it with the first leg, at that worker's next tick).
            var shard = new ConferenceShard(this, worker);
            _shards = [.. _shards, shard];
            return shard;
        }
    }

    /// <summary>Participant's worker: it stops being received, captured and sent to; BYE goes out and the ports close.</summary>
    private bool RemoveFromShard(MediaParticipant participant)
    {
        foreach (ConferenceShard shard in _shards)
        {
            if (shard.Worker == participant.Worker && shard.Remove(participant))
            {
                participant.SendGoodbye(System.Diagnostics.Stopwatch.GetTimestamp());
                participant.Transport.Dispose();
                shard.Worker.ParticipantsChanged(-1);
                shard.Worker.LegPlaced(-1);
                Interlocked.Decrement(ref _participantCount);
                Interlocked.Decrement(ref _placedLegs);
                return true;
            }
        }

        return false;
    }

    /// <summary>Home worker: out of the mixer; its stream (decoder, jitter buffer) is released here, where it was last decoded.</summary>
    private bool ForgetOnHome(MediaParticipant participant)
    {
        if (!_participantsById.Remove(participant.Id))
        {
            return false;
        }

        _participants.Remove(participant);
        _mixer.RemoveParticipant(participant.Id);
        participant.Inbound.Dispose();
        return true;
    }
}
