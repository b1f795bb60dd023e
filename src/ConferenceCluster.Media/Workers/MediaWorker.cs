using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace ConferenceCluster.Media.Workers;

/// <summary>
/// A media worker: one dedicated thread that ticks every 20 ms and runs every conference pinned to it (receive,
/// jitter buffers, decode, mix, encode, send). Conferences never move between workers, so their state is touched
/// by one thread only and needs no locks; the call controller's changes arrive through <see cref="InvokeAsync{T}"/>.
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
    private readonly List<ConferenceMedia> _conferences = [];
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

    internal Task<ConferenceMedia> AttachAsync(ConferenceMedia conference) => InvokeAsync(() =>
    {
        _conferences.Add(conference);
        Interlocked.Increment(ref _conferenceCount);
        return conference;
    });

    /// <summary>Worker thread only.</summary>
    internal void Detach(ConferenceMedia conference)
    {
        if (_conferences.Remove(conference))
        {
            Interlocked.Decrement(ref _conferenceCount);
        }
    }

    internal void ParticipantsChanged(int delta) => Interlocked.Add(ref _participants, delta);

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

    private void RunTick()
    {
        RunCommands();
        ReceiveAll();
        long now = Stopwatch.GetTimestamp();
        for (int i = 0; i < _conferences.Count; i++)
        {
            try
            {
                _conferences[i].Tick(now, _rtcpIntervalStopwatchTicks);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // One conference's fault must not stop the worker and every other conference on it.
                Trace.TraceError($"media-worker-{Index}: conference {_conferences[i].ConferenceId} tick failed: {exception}");
            }
        }

        Interlocked.Increment(ref _ticks);
        Volatile.Write(ref _threadCpuTicks, ThreadCpuClock.CurrentThread().Ticks);
        Volatile.Write(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
    }

    private void ReceiveAll()
    {
        long now = Stopwatch.GetTimestamp();
        Span<byte> buffer = _receiveBuffer;
        foreach (ConferenceMedia conference in _conferences)
        {
            conference.Receive(buffer, _source, now);
        }
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
