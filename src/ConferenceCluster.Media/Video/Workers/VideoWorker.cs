using System.Diagnostics;
using System.Net;
using ConferenceCluster.Media.Video.Mixing;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Video.Workers;

/// <summary>
/// A video worker: one dedicated thread that runs the video of every conference pinned to it, at the engine's frame
/// rate (receive and decode as packets arrive, every <see cref="VideoOptions.PollInterval"/>; compose, encode and send
/// once per frame). Like the audio <see cref="MediaWorker"/>: conferences never move, their state is touched by this
/// thread only, and changes arrive through <see cref="InvokeAsync{T}"/>.
/// </summary>
/// <remarks>
/// Separate from the audio workers (docs/decisions.md, "Video threading"): a frame of a large conference takes tens of
/// milliseconds of decoding and encoding, which on an audio worker would make every 20 ms audio tick on it late.
/// The frame schedule is absolute (frame k due at start + k / rate); a late worker skips frames rather than bursting.
/// </remarks>
public sealed class VideoWorker : IDisposable
{
    private readonly VideoOptions _options;
    private readonly TimeProvider _clock;
    private readonly Thread _thread;
    private readonly WorkerCommandQueue _commands;
    private readonly List<VideoConference> _conferences = [];
    private readonly byte[] _receiveBuffer = new byte[2048];
    private readonly SocketAddress _source;
    private volatile bool _stopping;

    private long _frames;
    private long _lateFrames;
    private long _skippedFrames;
    private long _busyTimestampTicks;
    private long _threadCpuTicks;
    private long _allocatedBytes;
    private int _conferenceCount;
    private int _legCount;

    internal VideoWorker(int index, VideoOptions options, IPAddress bindAddress)
    {
        Index = index;
        _options = options;
        _clock = options.TimeProvider;
        _source = new SocketAddress(bindAddress.AddressFamily);
        _commands = new WorkerCommandQueue($"video-worker-{index}");
        _thread = new Thread(Run) { IsBackground = true, Name = $"video-worker-{index}", Priority = ThreadPriority.AboveNormal };
    }

    public int Index { get; }

    public int ConferenceCount => Volatile.Read(ref _conferenceCount);

    /// <summary>Video legs on this worker (the placement load).</summary>
    public int LegCount => Volatile.Read(ref _legCount);

    public VideoWorkerStatistics GetStatistics() => new()
    {
        Index = Index,
        Frames = Interlocked.Read(ref _frames),
        LateFrames = Interlocked.Read(ref _lateFrames),
        SkippedFrames = Interlocked.Read(ref _skippedFrames),
        BusyTime = TimeSpan.FromSeconds(Interlocked.Read(ref _busyTimestampTicks) / (double)_clock.TimestampFrequency),
        ThreadCpuTime = TimeSpan.FromTicks(Interlocked.Read(ref _threadCpuTicks)),
        AllocatedBytes = Interlocked.Read(ref _allocatedBytes),
        Conferences = ConferenceCount,
        Legs = LegCount,
    };

    /// <summary>Runs <paramref name="work"/> on the worker thread before its next poll (a few ms away); continuations run off the worker.</summary>
    public Task<T> InvokeAsync<T>(Func<T> work) => _commands.Invoke(work);

    internal void Start() => _thread.Start();

    /// <summary>
    /// For a worker that was never started (the CPU benchmark): runs what is queued, drains the sockets, and, with
    /// <paramref name="frame"/>, one frame at <paramref name="nowMs"/>, on the calling thread.
    /// </summary>
    internal void RunManually(long nowMs, bool frame)
    {
        if (_thread.IsAlive)
        {
            throw new InvalidOperationException("This worker runs on its own thread.");
        }

        _commands.RunAll();
        Span<byte> buffer = _receiveBuffer;
        foreach (VideoConference conference in _conferences)
        {
            conference.Receive(buffer, _source, nowMs);
            if (frame)
            {
                conference.Tick(nowMs);
            }
        }
    }

    internal Task<VideoConference> AttachAsync(VideoConference conference) => InvokeAsync(() =>
    {
        _conferences.Add(conference);
        Interlocked.Increment(ref _conferenceCount);
        return conference;
    });

    /// <summary>Worker thread only.</summary>
    internal void Detach(VideoConference conference)
    {
        if (_conferences.Remove(conference))
        {
            Interlocked.Decrement(ref _conferenceCount);
        }
    }

    internal void LegsChanged(int delta) => Interlocked.Add(ref _legCount, delta);

    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _commands.Stop();
        if (_thread.IsAlive)
        {
            _thread.Join(TimeSpan.FromSeconds(5));
        }

        _commands.RunAll();
    }

    private void Run()
    {
        long frequency = _clock.TimestampFrequency;
        long pollPeriod = (long)(_options.PollInterval.TotalSeconds * frequency);
        long start = _clock.GetTimestamp();
        long frame = 0;
        long nextPoll = start;
        while (!_stopping)
        {
            long frameDue = start + frame * frequency / _options.FrameRate;
            long now = _clock.GetTimestamp();
            if (now >= frameDue)
            {
                long period = frequency / _options.FrameRate;
                long overdue = (now - frameDue) / period;
                if (overdue > 1)
                {
                    // More than a frame behind: skip to the current frame instead of composing stale ones back to back.
                    frame += overdue;
                    Interlocked.Add(ref _skippedFrames, overdue);
                }

                if (now - frameDue > period / 4)
                {
                    Interlocked.Increment(ref _lateFrames);
                }

                RunFrame(now);
                frame++;
                nextPoll = _clock.GetTimestamp() + pollPeriod;
                Interlocked.Add(ref _busyTimestampTicks, _clock.GetTimestamp() - now);
                continue;
            }

            if (now >= nextPoll)
            {
                _commands.RunAll();
                ReceiveAll();
                nextPoll = now + pollPeriod;
                Interlocked.Add(ref _busyTimestampTicks, _clock.GetTimestamp() - now);
                continue;
            }

            long wake = Math.Min(frameDue, nextPoll);
            double remainingMs = (wake - now) * 1000.0 / frequency;
            Thread.Sleep(Math.Max(1, (int)remainingMs));
        }
    }

    private void RunFrame(long now)
    {
        _commands.RunAll();
        ReceiveAll();
        long nowMs = ToMilliseconds(now);
        for (int i = 0; i < _conferences.Count; i++)
        {
            try
            {
                _conferences[i].Tick(nowMs);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // One conference's fault must not stop the worker and every other conference on it.
                Trace.TraceError($"video-worker-{Index}: conference {_conferences[i].ConferenceId} frame failed: {exception}");
            }
        }

        Interlocked.Increment(ref _frames);
        Volatile.Write(ref _threadCpuTicks, ThreadCpuClock.CurrentThread().Ticks);
        Volatile.Write(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
    }

    private void ReceiveAll()
    {
        long nowMs = ToMilliseconds(_clock.GetTimestamp());
        Span<byte> buffer = _receiveBuffer;
        for (int i = 0; i < _conferences.Count; i++)
        {
            try
            {
                _conferences[i].Receive(buffer, _source, nowMs);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                Trace.TraceError($"video-worker-{Index}: conference {_conferences[i].ConferenceId} receive failed: {exception}");
            }
        }
    }

    private long ToMilliseconds(long timestamp) => timestamp * 1000 / _clock.TimestampFrequency;

}

/// <summary>What a video worker has done so far.</summary>
public sealed record VideoWorkerStatistics
{
    public int Index { get; init; }

    public long Frames { get; init; }

    /// <summary>Frames started more than a quarter period after their due time.</summary>
    public long LateFrames { get; init; }

    /// <summary>Frames skipped after the worker fell more than a frame behind.</summary>
    public long SkippedFrames { get; init; }

    public TimeSpan BusyTime { get; init; }

    public TimeSpan ThreadCpuTime { get; init; }

    public long AllocatedBytes { get; init; }

    public int Conferences { get; init; }

    public int Legs { get; init; }
}
