using ConferenceCluster.Media.Capacity;
using ConferenceCluster.Media.Codecs.Opus;
using ConferenceCluster.Media.Transport;

namespace ConferenceCluster.Media.Tests.Capacity;

/// <summary>
/// Seed R60 (L1185): "On startup, each Conferencing Node runs an internal capacity check". Ours runs a synthetic
/// conference load through the real engine; these tests check what it reports, not how fast the machine is.
/// </summary>
public sealed class MediaCapacityCheckTests
{
    [Fact]
    public void The_check_measures_the_engine_and_admits_the_measure_times_the_headroom()
    {
        MediaCapacityEstimate estimate = MediaCapacityCheck.Run(new MediaCapacityCheckOptions
        {
            Cores = 2,
            Headroom = 0.5,
            Conferences = 4,
            Warmup = TimeSpan.FromMilliseconds(300),
            Round = TimeSpan.FromMilliseconds(300),
            MaxRounds = 4,
            Ports = new PortRange(41300, 41399),
        });

        Assert.True(estimate.MeasuredAudioCalls > 0);
        Assert.Equal(Math.Max(1, (long)Math.Floor(estimate.MeasuredAudioCalls * 0.5)), estimate.AudioCalls);
        Assert.True(estimate.MicrosecondsPerCallFrame > 0);
        Assert.Equal(2, estimate.Cores);
        Assert.InRange(estimate.Rounds, 2, 4);
        Assert.Equal(0.5, estimate.Headroom);
        Assert.Equal(OpusCodecPath.Native, estimate.Opus.Path);
        // The figure is the engine's, per participant: cores ÷ cost per participant.
        double implied = 2 / (estimate.MicrosecondsPerCallFrame / 20_000);
        Assert.InRange(estimate.MeasuredAudioCalls, implied - 1, implied + 1);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_headroom_outside_0_to_1_is_refused(double headroom) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => MediaCapacityCheck.Run(new MediaCapacityCheckOptions { Headroom = headroom }));
}
