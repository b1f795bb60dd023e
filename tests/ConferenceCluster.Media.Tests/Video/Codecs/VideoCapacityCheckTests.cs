using ConferenceCluster.Media.Video.Capacity;

namespace ConferenceCluster.Media.Tests.Video.Codecs;

/// <summary>The startup check's 720p share (seed R60, R-QoS-2): it runs, and its arithmetic holds; speed is for docs/benchmarks.md.</summary>
public sealed class VideoCapacityCheckTests
{
    [Fact]
    public void The_720p_share_is_a_decode_plus_a_fraction_of_an_encode_and_scales_with_cores()
    {
        VideoCapacityEstimate one = VideoCapacityCheck.Run(new VideoCapacityCheckOptions { Duration = TimeSpan.FromMilliseconds(100), Cores = 1, Headroom = 1 });
        Assert.True(one.DecodeMicroseconds > 0 && one.ComposeAndEncodeMicroseconds >= 0, one.ToString());
        Assert.Equal(one.DecodeMicroseconds + one.ComposeAndEncodeMicroseconds * 0.2, one.ShareMicroseconds, 6);
        Assert.Equal(1_000_000 / (one.ShareMicroseconds * 30), one.HdCallsPerCore, 6);
        Assert.Equal(Math.Max(1, (long)Math.Floor(one.HdCallsPerCore)), one.HdCalls);
    }
}
