using ConferenceCluster.Media.Rtp;

namespace ConferenceCluster.Media.Tests.Rtp;

/// <summary>RFC 3550 Appendix A.1 (sequence validation), A.3 (loss) and A.8 (jitter), checked against hand-computed values.</summary>
public class RtpReceiveStatisticsTests
{
    private const uint Ssrc = 0x1234;

    [Fact]
    public void New_source_is_on_probation_for_its_first_packet()
    {
        var stats = new RtpReceiveStatistics(8000);
        Assert.Equal(RtpSequenceVerdict.Probation, stats.Update(Ssrc, 100, 0, 0));
        Assert.Equal(RtpSequenceVerdict.Valid, stats.Update(Ssrc, 101, 160, 160));
        Assert.Equal(1, stats.PacketsReceived);
        Assert.Equal(1, stats.PacketsExpected);
    }

    [Fact]
    public void Out_of_order_during_probation_restarts_probation()
    {
        var stats = new RtpReceiveStatistics(8000);
        stats.Update(Ssrc, 100, 0, 0);
        Assert.Equal(RtpSequenceVerdict.Probation, stats.Update(Ssrc, 105, 0, 0));
        Assert.Equal(RtpSequenceVerdict.Valid, stats.Update(Ssrc, 106, 0, 0));
    }

    [Fact]
    public void Sequence_wrap_counts_a_cycle_and_loss_is_expected_minus_received()
    {
        var stats = new RtpReceiveStatistics(8000);
        Feed(stats, 65533, 65534, 65535, 0, 1);
        Assert.Equal(1, stats.Cycles);
        Assert.Equal(65537, stats.ExtendedHighestSequence);
        Assert.Equal(4, stats.PacketsExpected); // base is 65534 once probation ended
        Assert.Equal(0, stats.PacketsLost);

        Feed(stats, 4, 6); // 2, 3 and 5 lost
        Assert.Equal(65542, stats.ExtendedHighestSequence);
        Assert.Equal(9, stats.PacketsExpected);
        Assert.Equal(6, stats.PacketsReceived);
        Assert.Equal(3, stats.PacketsLost);
        Assert.Equal((3 << 8) / 9, stats.TakeFractionLost());

        Feed(stats, 7, 8);
        Assert.Equal(0, stats.TakeFractionLost()); // nothing lost in this interval
    }

    [Fact]
    public void Late_reordered_packet_counts_as_received_without_moving_the_highest()
    {
        var stats = new RtpReceiveStatistics(8000);
        Feed(stats, 10, 11, 13);
        Assert.Equal(1, stats.PacketsLost);
        Feed(stats, 12);
        Assert.Equal(0, stats.PacketsLost);
        Assert.Equal(13, stats.ExtendedHighestSequence);
    }

    [Fact]
    public void A_huge_jump_is_bad_until_confirmed_by_the_next_sequential_packet()
    {
        var stats = new RtpReceiveStatistics(8000);
        Feed(stats, 10, 11, 12);
        Assert.Equal(RtpSequenceVerdict.BadSequence, stats.Update(Ssrc, 30000, 0, 0));
        Assert.Equal(RtpSequenceVerdict.Valid, stats.Update(Ssrc, 30001, 0, 0));
        Assert.Equal(30001, stats.ExtendedHighestSequence);
        Assert.Equal(1, stats.PacketsReceived); // restarted at the confirmed sequence
    }

    [Fact]
    public void Ssrc_change_resets_the_statistics_and_starts_probation()
    {
        var stats = new RtpReceiveStatistics(8000);
        Feed(stats, 10, 11, 12, 14);
        Assert.Equal(RtpSequenceVerdict.SourceChanged, stats.Update(0x9999, 500, 0, 0));
        Assert.Equal(0x9999u, stats.Ssrc);
        Assert.Equal(0, stats.PacketsReceived);
        Assert.Equal(RtpSequenceVerdict.Valid, stats.Update(0x9999, 501, 0, 0));
        Assert.Equal(0, stats.PacketsLost);
    }

    [Fact]
    public void Jitter_follows_appendix_A8()
    {
        // Timestamps 160 apart; arrivals (in timestamp units) 160, 170, 150 apart.
        // Transit: 1000, 1000, 1010, 1000 → |D| = 0, 10, 10
        // J = 0 + (0 − 0)/16 = 0; J = 0 + (10 − 0)/16 = 0.625; J = 0.625 + (10 − 0.625)/16 = 1.2109375
        var stats = new RtpReceiveStatistics(8000);
        stats.Update(Ssrc, 1, 0, 1000);         // probation: no jitter sample
        stats.Update(Ssrc, 2, 160, 1160);
        stats.Update(Ssrc, 3, 320, 1330);
        stats.Update(Ssrc, 4, 480, 1480);
        Assert.Equal(1.2109375, stats.JitterTimestampUnits, 10);
        Assert.Equal(1u, stats.ReportedJitter);
        Assert.Equal(1.2109375 / 8, stats.JitterMilliseconds, 10);
    }

    [Fact]
    public void Jitter_survives_rtp_timestamp_wrap()
    {
        var stats = new RtpReceiveStatistics(48000);
        uint ts = uint.MaxValue - 960;
        long arrival = 5_000_000;
        for (ushort seq = 1; seq < 10; seq++)
        {
            stats.Update(Ssrc, seq, ts, arrival);
            ts += 960;
            arrival += 960;
        }

        Assert.Equal(0, stats.JitterTimestampUnits);
    }

    private static void Feed(RtpReceiveStatistics stats, params int[] sequences)
    {
        foreach (int sequence in sequences)
        {
            stats.Update(Ssrc, (ushort)sequence, 0, 0);
        }
    }
}
