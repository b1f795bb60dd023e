namespace ConferenceCluster.Sip.Tests.Support;

/// <summary>
/// A clock that only moves when the test says so. <see cref="Advance"/> fires every timer that falls
/// due, in order, on the calling thread, including timers created by the callbacks themselves.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _sync = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _ticks;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_sync) return _now;
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp()
    {
        lock (_sync) return _ticks;
    }

    public int ActiveTimerCount
    {
        get
        {
            lock (_sync) return _timers.Count;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    public void Advance(TimeSpan by)
    {
        long target;
        lock (_sync) target = _ticks + by.Ticks;
        while (true)
        {
            ManualTimer? next;
            lock (_sync)
            {
                next = null;
                foreach (var t in _timers)
                {
                    if (t.DueTicks <= target && (next is null || t.DueTicks < next.DueTicks)) next = t;
                }
                if (next is null)
                {
                    _now += TimeSpan.FromTicks(target - _ticks);
                    _ticks = target;
                    return;
                }
                if (next.DueTicks > _ticks)
                {
                    _now += TimeSpan.FromTicks(next.DueTicks - _ticks);
                    _ticks = next.DueTicks;
                }
                if (next.PeriodTicks > 0) next.DueTicks += next.PeriodTicks;
                else _timers.Remove(next);
            }
            next.Fire();
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public long DueTicks;
        public long PeriodTicks;

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._sync)
            {
                owner._timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan) return true;
                DueTicks = owner._ticks + Math.Max(0, dueTime.Ticks);
                PeriodTicks = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
                owner._timers.Add(this);
                return true;
            }
        }

        public void Dispose()
        {
            lock (owner._sync) owner._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
