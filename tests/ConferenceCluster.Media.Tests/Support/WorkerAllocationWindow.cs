using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Tests.Support;

/// <summary>
/// The bytes a media worker allocated between two frames of a test's send schedule (steady state), for the
/// "nothing allocated per tick" checks. Feed <see cref="OnFrame"/> from <see cref="TonePhones.Run"/>.
/// </summary>
internal sealed class WorkerAllocationWindow(MediaWorker worker, int startFrame, int endFrame)
{
    private long _allocatedAtStart, _ticksAtStart;

    public long AllocatedBytes { get; private set; }

    public long Ticks { get; private set; }

    public void OnFrame(int frame)
    {
        if (frame != startFrame && frame != endFrame)
        {
            return;
        }

        MediaWorkerStatistics statistics = worker.GetStatistics();
        if (frame == startFrame)
        {
            (_allocatedAtStart, _ticksAtStart) = (statistics.AllocatedBytes, statistics.Ticks);
        }
        else
        {
            (AllocatedBytes, Ticks) = (statistics.AllocatedBytes - _allocatedAtStart, statistics.Ticks - _ticksAtStart);
        }
    }

    /// <summary>
    /// The smallest object is 24 bytes, so anything allocated per tick would reach 24 × ticks; a one-off runtime
    /// allocation (tiering) stays below.
    /// </summary>
    public void AssertNothingAllocatedPerTick()
    {
        Assert.InRange(Ticks, 10, 1000);
        Assert.True(AllocatedBytes < 24 * Ticks, $"the worker allocated {AllocatedBytes} bytes in {Ticks} ticks");
    }
}
