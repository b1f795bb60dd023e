using ConferenceCluster.Media.Video.Composition;

namespace ConferenceCluster.Media.Tests.Video.Composition;

/// <summary>The SIMD scaling kernels against their scalar formulas, over random rows with fixed seeds.</summary>
public sealed class ScalingKernelsTests
{
    /// <summary>Around the vector widths (8/16 outputs of a 128-bit step, 16/32 of a 256-bit one) and typical rows.</summary>
    public static TheoryData<int> Lengths => [0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 182, 640, 641];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void HalveRow_matches_the_2x2_box_average(int length)
    {
        var random = new Random(100 + length);
        byte[] upper = Bytes(random, 2 * length + 3), lower = Bytes(random, 2 * length + 3);
        var expected = new byte[length];
        for (int i = 0; i < length; i++)
        {
            expected[i] = (byte)((upper[2 * i] + upper[2 * i + 1] + lower[2 * i] + lower[2 * i + 1] + 2) / 4);
        }

        var actual = new byte[length];
        ScalingKernels.HalveRow(upper, lower, actual);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void BlendRows_matches_the_weighted_average_for_every_edge_weight(int length)
    {
        var random = new Random(200 + length);
        byte[] top = Bytes(random, length), bottom = Bytes(random, length);
        foreach (int weight in new[] { 0, 1, 77, 128, 255, 256 })
        {
            var expected = new byte[length];
            for (int i = 0; i < length; i++)
            {
                expected[i] = (byte)((top[i] * (256 - weight) + bottom[i] * weight + 128) / 256);
            }

            var actual = new byte[length];
            ScalingKernels.BlendRows(top, bottom, weight, actual);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void InterpolateRow_matches_the_scalar_gather(int length)
    {
        var random = new Random(300 + length);
        int sourceLength = Math.Max(2, length * 3 / 2 + 5);
        byte[] source = Bytes(random, sourceLength);
        // Non-decreasing positions up to the last pair, the way the scaler makes them (enlarging and reducing).
        var index = new int[length];
        var weight = new int[length];
        for (int i = 0; i < length; i++)
        {
            index[i] = Math.Min(sourceLength - 2, (int)((long)i * (sourceLength - 1) / Math.Max(1, length)));
            weight[i] = random.Next(0, 257);
        }

        var expected = new byte[length];
        for (int i = 0; i < length; i++)
        {
            expected[i] = (byte)((source[index[i]] * (256 - weight[i]) + source[index[i] + 1] * weight[i] + 128) / 256);
        }

        var actual = new byte[length];
        ScalingKernels.InterpolateRow(source, index, weight, actual);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void InterpolateRow_never_reads_past_the_row_when_the_last_pairs_are_at_its_end()
    {
        // Every position on the last pair: a 4-byte gather there would cross the row's end.
        byte[] source = [10, 20, 30, 40];
        int[] index = Enumerable.Repeat(2, 40).ToArray();
        int[] weight = Enumerable.Repeat(256, 40).ToArray();
        var actual = new byte[40];
        ScalingKernels.InterpolateRow(source, index, weight, actual);
        Assert.All(actual, value => Assert.Equal(40, value));
    }

    [Fact]
    public void Short_inputs_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ScalingKernels.HalveRow(new byte[9], new byte[10], new byte[5]));
        Assert.Throws<ArgumentException>(() => ScalingKernels.BlendRows(new byte[4], new byte[5], 3, new byte[5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScalingKernels.BlendRows(new byte[5], new byte[5], 257, new byte[5]));
        Assert.Throws<ArgumentException>(() => ScalingKernels.InterpolateRow(new byte[8], new int[3], new int[4], new byte[4]));
    }

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
