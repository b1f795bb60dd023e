using System.Diagnostics;

namespace ConferenceCluster.LoadTest.Participants;

/// <summary>Something the <see cref="MediaPacer"/> ticks every frame.</summary>
public interface IPacedSender
{
    /// <summary>Send this frame's packet. Runs on the pacer thread: must not block.</summary>
    void OnFrame();
}

/// <summary>
/// One thread that ticks every registered sender each 20 ms, so a machine simulates hundreds of participants
/// without a thread (or a timer) each. Ticks are scheduled on absolute times: a late tick is followed by the
/// next one at once rather than drifting, and ticks more than <see cref="MaxCatchUpFrames"/> late are dropped
/// and counted (<see cref="LateTicks"/>): that is the load generator itself saturating, not the cluster.
/// </summary>
public sealed class MediaPacer : IDisposable
{
    public const int MaxCatchUpFrames = 5;

    private readonly object _sync = new();
    private readonly Thread _thread;
    private readonly long _intervalTicks;
    private volatile IPacedSender[] _senders = [];
    private volatile bool _stopping;
    private long _lateTicks;
    private long _ticks;

    public MediaPacer(TimeSpan frameInterval)
    {
        if (frameInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(frameInterval), frameInterval, "The frame interval must be positive.");
        FrameInterval = frameInterval;
        _intervalTicks = (long)(frameInterval.TotalSeconds * Stopwatch.Frequency);
        _thread = new Thread(Run) { IsBackground = true, Name = "loadtest media pacer", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    public TimeSpan FrameInterval { get; }

    /// <summary>Ticks skipped because the pacer fell more than <see cref="MaxCatchUpFrames"/> frames behind.</summary>
    public long LateTicks => Interlocked.Read(ref _lateTicks);

    public long Ticks => Interlocked.Read(ref _ticks);

    public int Count => _senders.Length;

    public void Add(IPacedSender sender)
    {
        lock (_sync)
        {
            if (Array.IndexOf(_senders, sender) < 0) _senders = [.. _senders, sender];
        }
    }

    public void Remove(IPacedSender sender)
    {
        lock (_sync) _senders = _senders.Where(s => !ReferenceEquals(s, sender)).ToArray();
    }

    private void Run()
    {
        var next = Stopwatch.GetTimestamp();
        while (!_stopping)
        {
            foreach (var sender in _senders) sender.OnFrame();
            Interlocked.Increment(ref _ticks);
            next += _intervalTicks;
            var now = Stopwatch.GetTimestamp();
            if (now - next > MaxCatchUpFrames * _intervalTicks)
            {
                var skipped = (now - next) / _intervalTicks;
                Interlocked.Add(ref _lateTicks, skipped);
                next += skipped * _intervalTicks;
            }
            var waitMs = (next - now) * 1000 / Stopwatch.Frequency;
            // Sleep most of the wait (1 ms granularity on Linux), spin the rest.
            if (waitMs > 1) Thread.Sleep((int)waitMs - 1);
            while (Stopwatch.GetTimestamp() < next && !_stopping) Thread.SpinWait(64);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join(TimeSpan.FromSeconds(2));
    }
}
