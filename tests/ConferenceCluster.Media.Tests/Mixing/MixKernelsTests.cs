using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Tests.Support;

namespace ConferenceCluster.Media.Tests.Mixing;

/// <summary>The SIMD kernels against obvious scalar references, over random data with a fixed seed.</summary>
public sealed class MixKernelsTests
{
    /// <summary>Around the vector widths (16 shorts/8 ints on AVX2, 32/16 on 512-bit) and the 960-sample frame.</summary>
    public static TheoryData<int> Lengths => [0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 959, 960, 961, 1001];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Accumulate_matches_scalar(int length)
    {
        var random = new Random(1234 + length);
        int[] bus = RandomBus(random, length);
        short[] frame = Signals.Random(random, length);
        int[] expected = (int[])bus.Clone();
        for (int i = 0; i < length; i++)
        {
            expected[i] += frame[i];
        }

        MixKernels.Accumulate(bus, frame);
        Assert.Equal(expected, bus);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SaturateToInt16_matches_scalar(int length)
    {
        var random = new Random(2345 + length);
        int[] bus = RandomBus(random, length);
        var actual = new short[length];
        MixKernels.SaturateToInt16(bus, actual);
        Assert.Equal(bus.Select(Clamp).ToArray(), actual);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SubtractAndSaturate_matches_scalar(int length)
    {
        var random = new Random(3456 + length);
        int[] bus = RandomBus(random, length);
        short[] own = Signals.Random(random, length);
        var actual = new short[length];
        MixKernels.SubtractAndSaturate(bus, own, actual);
        Assert.Equal(bus.Zip(own, (sum, mine) => Clamp(sum - mine)).ToArray(), actual);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SumOfSquares_matches_scalar(int length)
    {
        var random = new Random(4567 + length);
        short[] frame = Signals.Random(random, length);
        long expected = frame.Sum(sample => (long)sample * sample);
        Assert.Equal(expected, MixKernels.SumOfSquares(frame));
    }

    [Fact]
    public void Extremes_saturate_exactly_at_the_int16_limits()
    {
        int[] bus = [32767, 32768, -32768, -32769, 100_000, -100_000, 0, 1, 32767, 32768, -32768, -32769, 100_000, -100_000, 0, -1, 65534];
        var pcm = new short[bus.Length];
        MixKernels.SaturateToInt16(bus, pcm);
        Assert.Equal([32767, 32767, -32768, -32768, 32767, -32768, 0, 1, 32767, 32767, -32768, -32768, 32767, -32768, 0, -1, 32767], pcm);

        short[] loud = Signals.Constant(17, short.MinValue);
        Assert.Equal(17L * 32768 * 32768, MixKernels.SumOfSquares(loud));
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => MixKernels.Accumulate(new int[960], new short[959]));
        Assert.Throws<ArgumentException>(() => MixKernels.SaturateToInt16(new int[960], new short[961]));
        Assert.Throws<ArgumentException>(() => MixKernels.SubtractAndSaturate(new int[960], new short[960], new short[10]));
    }

    /// <summary>Bus values spanning a few voices' worth, so saturation happens often.</summary>
    private static int[] RandomBus(Random random, int length) =>
        Enumerable.Range(0, length).Select(_ => random.Next(-4 * 32768, 4 * 32768)).ToArray();

    private static short Clamp(int value) => (short)Math.Clamp(value, short.MinValue, short.MaxValue);
}
