using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Tests.Workers;

/// <summary>
/// The worker's tick schedule against a clock the test moves by hand: absolute due times, bounded catch-up,
/// skipping after a long stall, and late-tick counting. Deterministic: nothing depends on how fast this machine is.
/// </summary>
public class MediaWorkerScheduleTests
{
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => 1_000_000; // microseconds

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void AdvanceMilliseconds(double milliseconds) => Interlocked.Add(ref _ticks, (long)(milliseconds * 1000));
    }

    [Fact]
    public async Task Ticks_follow_the_absolute_schedule_catch_up_a_little_and_skip_a_long_stall()
    {
        var clock = new ManualClock();
        await using var engine = new MediaEngine(new MediaOptions { WorkerCount = 1, TimeProvider = clock, MaxCatchUpTicks = 2 });
        MediaWorker worker = engine.Workers[0];

        MediaWorkerStatistics stats = await WaitFor(worker, s => s.Ticks == 1); // tick 0 is due at start
        Assert.Equal(0, stats.LateTicks);

        clock.AdvanceMilliseconds(20); // exactly one period: one on-time tick (the polls in between are stale and skipped)
        stats = await WaitFor(worker, s => s.Ticks == 2);
        Assert.Equal(0, stats.LateTicks);

        clock.AdvanceMilliseconds(200); // a 10-period stall: 9 ticks skipped, the schedule re-anchored on its phase
        stats = await WaitFor(worker, s => s.Ticks == 3);
        Assert.Equal(9, stats.SkippedTicks);

        clock.AdvanceMilliseconds(50); // 2.5 periods: two overdue ticks run back to back, both late
        stats = await WaitFor(worker, s => s.Ticks == 5);
        Assert.Equal(9, stats.SkippedTicks);
        Assert.Equal(2, stats.LateTicks);

        await Task.Delay(100); // the clock stands still: no more ticks however long we wait
        Assert.Equal(5, worker.GetStatistics().Ticks);
    }

    private static async Task<MediaWorkerStatistics> WaitFor(MediaWorker worker, Func<MediaWorkerStatistics, bool> condition)
    {
        for (int i = 0; i < 500; i++)
        {
            MediaWorkerStatistics stats = worker.GetStatistics();
            if (condition(stats))
            {
                return stats;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"The worker never got there: {worker.GetStatistics()}");
    }
}
