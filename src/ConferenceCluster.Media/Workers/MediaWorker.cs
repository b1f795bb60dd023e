using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using ConferenceCluster.Media.Transport;

namespace ConferenceCluster.Media.Workers;

/// <summary>
/// A media worker: one dedicated thread that ticks every 20 ms. It receives, captures (jitter buffers, decodes) and
/// sends for the legs it carries (<see cref="ConferenceShard"/>s, one per conference it serves), and mixes the conferences
/// whose home it is. Legs never move between workers, so their state is touched by one thread only and needs no locks;
/// a conference spread over several workers hands each tick over between them by release/acquire counters
/// (<see cref="ConferenceShard"/>); the call controller's changes arrive through <see cref="InvokeAsync{T}"/>.
/// </summary>
/// <remarks>
/// The schedule is absolute: tick k is due at start + k × 20 ms by the monotonic clock, so sleeping late never
/// accumulates drift. A late worker runs at most <see cref="MediaOptions.MaxCatchUpTicks"/> overdue ticks back to
/// back and skips the rest, so listeners get a gap rather than a burst of stale packets.
/// </remarks>
public sealed class MediaWorker : IDisposable
{
    private readonly MediaOptions _options;
    private readonly TimeProvider _clock;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<Action> _commands = new();
    private readonly List<ConferenceMedia> _homed = [];
    private readonly List<ConferenceShard> _shards = [];

    /// <summary>The legs' sockets in one epoll set (Linux), or null: then every leg's sockets are polled.</summary>
    private readonly SocketReadiness? _readiness = SocketReadiness.TryCreate(ReadyBatch);
    private readonly List<MediaParticipant?> _legsBySlot = [];
    private readonly Stack<int> _freeSlots = new();

    /// <summary>Legs the readiness set refused (epoll_ctl failed): polled every time, as without epoll.</summary>
    private readonly List<MediaParticipant> _unwatched = [];
    private readonly uint[] _ready = new uint[ReadyBatch];
    private const int ReadyBatch = 1024;
    private readonly byte[] _receiveBuffer = new byte[ReceiveBufferBytes];
    private readonly SocketAddress _source;
    private readonly long _period;
    private readonly long _lateThreshold;
    private readonly long _rtcpIntervalStopwatchTicks;
    private volatile bool _stopping;

    private long _ticks;
    private long _lateTicks;
    private long _skippedTicks;
    private long _busyTimestampTicks;
    private long _threadCpuTicks;
    private long _allocatedBytes;
    private int _participants;
    private int _placedLegs;
    private int _conferenceCount;

    /// <summary>Largest datagram accepted; bigger ones are truncated and dropped (RTP audio is far smaller).</summary>
    private const int ReceiveBufferBytes = 2048;

    internal MediaWorker(int index, MediaOptions options)
    {
        Index = index;
        _options = options;
        _clock = options.TimeProvider;
        _period = _clock.TimestampFrequency * AudioFormat.FrameMilliseconds / 1000;
        _lateThreshold = (long)(options.LateTickThreshold.TotalSeconds * _clock.TimestampFrequency);
        _rtcpIntervalStopwatchTicks = (long)(options.RtcpInterval.TotalSeconds * Stopwatch.Frequency);
        _source = new SocketAddress(options.BindAddress.AddressFamily);
        _thread = new Thread(Run)
        {
            IsBackground = true,
            Name = $"media-worker-{index}",
            Priority = ThreadPriority.AboveNormal,
        };
    }

    public int Index { get; }

    /// <summary>Participants on this worker (the placement load).</summary>
    public int ParticipantCount => Volatile.Read(ref _participants);

    public int ConferenceCount => Volatile.Read(ref _conferenceCount);

    public MediaWorkerStatistics GetStatistics() => new()
    {
        Index = Index,
        Ticks = Interlocked.Read(ref _ticks),
        LateTicks = Interlocked.Read(ref _lateTicks),
        SkippedTicks = Interlocked.Read(ref _skippedTicks),
        BusyTime = TimeSpan.FromSeconds(Interlocked.Read(ref _busyTimestampTicks) / (double)_clock.TimestampFrequency),
        ThreadCpuTime = TimeSpan.FromTicks(Interlocked.Read(ref _threadCpuTicks)),
        AllocatedBytes = Interlocked.Read(ref _allocatedBytes),
        Conferences = ConferenceCount,
        Participants = ParticipantCount,
    };

    /// <summary>
    /// Runs <paramref name="work"/> on the worker thread before its next tick (at most ~20 ms away) and completes
    /// with its result or exception. Continuations run off the worker.
    /// </summary>
    public Task<T> InvokeAsync<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_stopping)
        {
            completion.SetException(new ObjectDisposedException(nameof(MediaWorker)));
            return completion.Task;
        }

        _commands.Enqueue(() =>
        {
            try
            {
                completion.SetResult(work());
            }
            catch (Exception exception)
            {
                completion.SetException(exception);
            }
        });
        return completion.Task;
    }

    internal void Start() => _thread.Start();

    internal Task<ConferenceMedia> AttachHomeAsync(ConferenceMedia conference) => InvokeAsync(() =>
    {
        _homed.Add(conference);
        Interlocked.Increment(ref _conferenceCount);
        return conference;
    });

    /// <summary>Worker thread only.</summary>
    internal void DetachHome(ConferenceMedia conference)
    {
        if (_homed.Remove(conference))
        {
            Interlocked.Decrement(ref _conferenceCount);
        }
    }

    /// <summary>Worker thread only; idempotent.</summary>
    internal void Attach(ConferenceShard shard)
    {
        if (!_shards.Contains(shard))
        {
            _shards.Add(shard);
        }
    }

    /// <summary>Worker thread only.</summary>
    internal bool Detach(ConferenceShard shard) => _shards.Remove(shard);

    /// <summary>Worker thread: the leg's sockets join this worker's readiness set.</summary>
    internal void Register(MediaParticipant participant)
    {
        if (_readiness is null)
        {
            return;
        }

        int slot = _freeSlots.Count > 0 ? _freeSlots.Pop() : _legsBySlot.Count;
        if (slot == _legsBySlot.Count)
        {
            _legsBySlot.Add(null);
        }

        _legsBySlot[slot] = participant;
        participant.ReadinessSlot = slot;
        bool watched = _readiness.Add(participant.Transport.RtpSocket, (uint)slot << 1);
        if (participant.Transport.RtcpSocket is { } rtcp)
            watched &= _readiness.Add(rtcp, (uint)slot << 1 | 1);
        if (!watched)
        {
            _unwatched.Add(participant);
        }
    }

    /// <summary>Worker thread, before the leg's sockets close.</summary>
    internal void Unregister(MediaParticipant participant)
    {
        if (_readiness is null || participant.ReadinessSlot < 0)
        {
            return;
        }

        _readiness.Remove(participant.Transport.RtpSocket);
        if (participant.Transport.RtcpSocket is { } rtcp)
            _readiness.Remove(rtcp);
        _unwatched.Remove(participant);
        _legsBySlot[participant.ReadinessSlot] = null;
        _freeSlots.Push(participant.ReadinessSlot);
        participant.ReadinessSlot = -1;
    }

    internal void ParticipantsChanged(int delta) => Interlocked.Add(ref _participants, delta);

    /// <summary>Legs placed on this worker, counting those still on their way (placement load).</summary>
    internal int PlacedLegs => Volatile.Read(ref _placedLegs);

    internal void LegPlaced(int delta) => Interlocked.Add(ref _placedLegs, delta);

    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        if (_thread.IsAlive)
        {
            _thread.Join(TimeSpan.FromSeconds(5));
        }

        RunCommands(); // fail nothing silently: pending commands still run (and see a stopped worker)
        _readiness?.Dispose();
    }

    private void Run()
    {
        // Events every pollPeriod: every polls-th one is a tick, the others only drain the sockets.
        int polls = _options.ReceivePollsPerTick;
        long pollPeriod = _period / polls;
        long start = _clock.GetTimestamp();
        long eventIndex = 0;
        while (!_stopping)
        {
            long due = start + eventIndex * pollPeriod;
            long now = _clock.GetTimestamp();
            if (now < due)
            {
                SleepUntil(due, now);
                continue;
            }

            if (eventIndex % polls != 0)
            {
                if (now - due < pollPeriod)
                {
                    long pollStart = now;
                    ReceiveAll();
                    MixAndSendWhatIsReady();
                    Interlocked.Add(ref _busyTimestampTicks, _clock.GetTimestamp() - pollStart);
                }

                eventIndex++; // a poll we are too late for is skipped: the tick drains anyway
                continue;
            }

            long overdueTicks = (now - due) / _period;
            if (overdueTicks > _options.MaxCatchUpTicks)
            {
                // Re-anchor on the current period (same phase); the skipped ticks' frames stay in the jitter buffers,
                // which shed them by their shrink rule.
                eventIndex += overdueTicks * polls;
                Interlocked.Add(ref _skippedTicks, overdueTicks);
                due = start + eventIndex * pollPeriod;
            }

            if (now - due > _lateThreshold)
            {
                Interlocked.Increment(ref _lateTicks);
            }

            RunTick();
            eventIndex++;
            Interlocked.Add(ref _busyTimestampTicks, _clock.GetTimestamp() - now);
        }
    }

    /// <summary>
    /// One tick: capture every shard's frames (sending the previous mix first if it was not sent yet), mix the conferences
    /// homed here whose shards have all captured, send what was mixed, RTCP. A conference on this worker alone does all
    /// of it in this tick; one spread over workers finishes at whichever worker's poll finds the other side ready.
    /// </summary>
    private void RunTick()
    {
        RunCommands();
        ReceiveAll();
        long now = Stopwatch.GetTimestamp();
        for (int i = 0; i < _shards.Count; i++)
        {
            Guard(_shards[i].Conference, static shard => shard.Capture(), _shards[i]);
        }

        MixAndSendWhatIsReady();
        for (int i = 0; i < _shards.Count; i++)
        {
            try
            {
                _shards[i].SendRtcpIfDue(now, _rtcpIntervalStopwatchTicks);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                Report(_shards[i].Conference, exception);
            }
        }

        Interlocked.Increment(ref _ticks);
        Volatile.Write(ref _threadCpuTicks, ThreadCpuClock.CurrentThread().Ticks);
        Volatile.Write(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
    }

    private void MixAndSendWhatIsReady()
    {
        for (int i = 0; i < _homed.Count; i++)
        {
            Guard(_homed[i], static conference => conference.TryMix(), _homed[i]);
        }

        for (int i = 0; i < _shards.Count; i++)
        {
            Guard(_shards[i].Conference, static shard => shard.SendLatestMix(), _shards[i]);
        }
    }

    /// <summary>One conference's fault must not stop the worker and every other conference on it (static lambdas only: no allocation).</summary>
    private void Guard<T>(ConferenceMedia conference, Action<T> step, T target)
    {
        try
        {
            step(target);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            Report(conference, exception);
        }
    }

    private void Report(ConferenceMedia conference, Exception exception) =>
        Trace.TraceError($"media-worker-{Index}: conference {conference.ConferenceId} failed: {exception}");

    private void ReceiveAll()
    {
        long now = Stopwatch.GetTimestamp();
        Span<byte> buffer = _receiveBuffer;
        if (_readiness is null)
        {
            foreach (ConferenceShard shard in _shards)
            {
                shard.Receive(buffer, _source, now);
            }

            return;
        }

        foreach (MediaParticipant leg in _unwatched)
        {
            leg.Receive(buffer, _source, now);
        }

        // Only the sockets with datagrams waiting; a full batch means there may be more.
        int ready;
        int rounds = 0;
        do
        {
            ready = _readiness.Wait(_ready);
            for (int i = 0; i < ready; i++)
            {
                uint token = _ready[i];
                if (_legsBySlot[(int)(token >> 1)] is not { } leg)
                {
                    continue;
                }

                if ((token & 1) == 0)
                {
                    leg.ReceiveRtp(buffer, _source, now);
                    // rtcp-mux: the RTP drain left any RTCP it met in the transport.
                    if (leg.Transport.RtcpSocket is null)
                    {
                        leg.ReceiveRtcp(buffer, _source, now);
                    }
                }
                else
                {
                    leg.ReceiveRtcp(buffer, _source, now);
                }
            }
        }
        while (ready == _ready.Length && ++rounds < 8);
    }

    private void RunCommands()
    {
        while (_commands.TryDequeue(out Action? command))
        {
            command();
        }
    }

    private void SleepUntil(long due, long now)
    {
        // Thread.Sleep has millisecond granularity: sleep the whole milliseconds and let the loop re-check, so an
        // event starts at most ~1 ms after it is due (well inside the late threshold) without spinning a core.
        double remainingMs = (due - now) * 1000.0 / _clock.TimestampFrequency;
        Thread.Sleep(Math.Max(1, (int)remainingMs));
    }
}
