using ConferenceCluster.Runtime.Membership;

namespace ConferenceCluster.Runtime.Sql.Tests;

public sealed class MembershipColumnsTests
{
    [Fact]
    public void Suspect_times_use_the_orleans_column_format()
    {
        var votes = new[]
        {
            new SuspectVote(new SiloAddress("10.0.0.2", 11111, 7), new DateTimeOffset(2026, 11, 21, 6, 30, 1, 250, TimeSpan.Zero)),
            new SuspectVote(new SiloAddress("10.0.0.3", 11112, 8), new DateTimeOffset(2026, 11, 21, 8, 30, 2, TimeSpan.FromHours(1))),
        };

        var column = MembershipColumns.FormatSuspectTimes(votes);

        Assert.Equal("10.0.0.2:11111@7,2026-11-21 06:30:01.250 GMT|10.0.0.3:11112@8,2026-11-21 07:30:02.000 GMT", column);
        Assert.Equal(votes, MembershipColumns.ParseSuspectTimes(column));
    }

    [Fact]
    public void No_votes_and_no_metadata_are_stored_as_null()
    {
        Assert.Null(MembershipColumns.FormatSuspectTimes([]));
        Assert.Empty(MembershipColumns.ParseSuspectTimes(null));
        Assert.Null(MembershipColumns.FormatMetadata(new Dictionary<string, string>()));
        Assert.Empty(MembershipColumns.ParseMetadata(null));
    }

    [Fact]
    public void Stored_times_are_utc_and_truncated_to_the_millisecond()
    {
        var time = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(12_345_678);
        var stored = MembershipColumns.ToStoredTime(time);
        Assert.Equal(TimeSpan.Zero, stored.Offset);
        Assert.Equal(0, stored.Ticks % TimeSpan.TicksPerMillisecond);
        Assert.True(stored <= time && time - stored < TimeSpan.FromMilliseconds(1));
    }
}
