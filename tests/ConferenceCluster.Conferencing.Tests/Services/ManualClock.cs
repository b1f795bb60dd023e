namespace ConferenceCluster.Conferencing.Tests.Services;

/// <summary>A clock that moves only when the test says so. The service classes own no timers, so no timer support is needed.</summary>
public sealed class ManualClock : TimeProvider
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);

    private DateTimeOffset _now = Epoch;

    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Seconds since the test began.</summary>
    public double Elapsed => (_now - Epoch).TotalSeconds;

    public void Advance(TimeSpan by) => _now += by;

    public void AdvanceSeconds(double seconds) => _now += TimeSpan.FromSeconds(seconds);

    public void SetSeconds(double secondsSinceEpoch) => _now = Epoch + TimeSpan.FromSeconds(secondsSinceEpoch);
}
