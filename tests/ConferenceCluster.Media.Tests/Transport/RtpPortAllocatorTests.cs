using ConferenceCluster.Media.Transport;

namespace ConferenceCluster.Media.Tests.Transport;

public class RtpPortAllocatorTests
{
    [Fact]
    public void Hands_out_even_rtp_ports_until_exhausted_then_reuses_released_ones()
    {
        var allocator = new RtpPortAllocator(new PortRange(40001, 40008)); // pairs 40002/3, 40004/5, 40006/7
        Assert.Equal(3, allocator.Capacity);
        var ports = new List<int>();
        while (allocator.TryAllocate(out int port))
        {
            ports.Add(port);
        }

        Assert.Equal([40002, 40004, 40006], ports);
        Assert.Equal(3, allocator.Allocated);
        Assert.False(allocator.TryAllocate(out _));

        Assert.True(allocator.Release(40004));
        Assert.False(allocator.Release(40004)); // double release is harmless
        Assert.False(allocator.Release(40005)); // an RTCP port is not an allocation
        Assert.False(allocator.Release(50000));
        Assert.True(allocator.TryAllocate(out int again));
        Assert.Equal(40004, again);
    }

    [Fact]
    public void Released_pair_is_not_reused_before_the_others()
    {
        var allocator = new RtpPortAllocator(new PortRange(40000, 40009));
        allocator.TryAllocate(out int first);
        allocator.Release(first);
        allocator.TryAllocate(out int second);
        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData("40000-49999", 40000, 49999, 5000)]
    [InlineData(" 20001 - 20004 ", 20001, 20004, 1)]
    public void Port_range_parses(string text, int first, int last, int pairs)
    {
        PortRange range = PortRange.Parse(text);
        Assert.Equal(first, range.First);
        Assert.Equal(last, range.Last);
        Assert.Equal(pairs, range.PairCount);
    }

    [Theory]
    [InlineData("40000")]
    [InlineData("a-b")]
    [InlineData("-1-5")]
    public void Bad_port_range_text_is_a_format_error(string text) => Assert.Throws<FormatException>(() => PortRange.Parse(text));

    [Theory]
    [InlineData("80-90")]
    [InlineData("50000-70000")]
    [InlineData("50000-50000")]
    public void Out_of_bounds_port_range_is_refused(string text) => Assert.Throws<ArgumentOutOfRangeException>(() => PortRange.Parse(text));
}
