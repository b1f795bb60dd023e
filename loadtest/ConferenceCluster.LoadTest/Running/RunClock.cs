namespace ConferenceCluster.LoadTest.Running;

/// <summary>Milliseconds since the run started, on the monotonic clock of <see cref="TimeProvider"/>: every event of a run is stamped with it.</summary>
public sealed class RunClock
{
    private readonly TimeProvider _time;
    private readonly long _start;

    public RunClock(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _start = _time.GetTimestamp();
    }

    public double NowMs => _time.GetElapsedTime(_start).TotalMilliseconds;
}
