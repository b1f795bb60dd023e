using ConferenceCluster.Media.Tests.Video.Support;
using ConferenceCluster.Media.Video.Composition;

namespace ConferenceCluster.Media.Tests.Video.Composition;

/// <summary>
/// The scaler against a plain scalar reference of the same method (box halving, then centre-aligned bilinear), and
/// what a viewer would notice: colours kept, edges where they belong, crops and bars per the seed's aspect rule.
/// </summary>
public sealed class I420ScalerTests
{
    public static TheoryData<int, int, int, int> Sizes => new()
    {
        { 1280, 720, 182, 102 },  // a 720p camera into a 1+7 thumbnail: two halvings, then bilinear
        { 1280, 720, 1096, 616 }, // into the 1+7 main tile: bilinear only
        { 640, 360, 1280, 720 },  // enlarging
        { 320, 180, 320, 180 },   // same size: a copy
        { 1920, 1080, 640, 360 }, // exactly three to one: a halving, then bilinear
        { 96, 64, 30, 2 },        // very flat
        { 2, 2, 64, 36 },         // from a 1-pixel chroma plane
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Matches_the_scalar_reference_exactly(int sourceWidth, int sourceHeight, int targetWidth, int targetHeight)
    {
        I420Buffer source = TestPictures.Noise(sourceWidth, sourceHeight, seed: sourceWidth + targetWidth);
        var destination = new I420Buffer(targetWidth + 4, targetHeight + 4);
        var target = new PixelRect(2, 2, targetWidth, targetHeight);
        new I420Scaler().Scale(source.View, new PixelRect(0, 0, sourceWidth, sourceHeight), destination, target);

        I420View view = destination.View;
        AssertPlane(ReferencePlane(source.Y.ToArray(), source.StrideY, sourceWidth, sourceHeight, targetWidth, targetHeight), view.Y, view.StrideY, 2, 2, targetWidth, targetHeight, "Y");
        AssertPlane(ReferencePlane(source.U.ToArray(), source.StrideUV, sourceWidth / 2, sourceHeight / 2, targetWidth / 2, targetHeight / 2), view.U, view.StrideUV, 1, 1, targetWidth / 2, targetHeight / 2, "U");
        AssertPlane(ReferencePlane(source.V.ToArray(), source.StrideUV, sourceWidth / 2, sourceHeight / 2, targetWidth / 2, targetHeight / 2), view.V, view.StrideUV, 1, 1, targetWidth / 2, targetHeight / 2, "V");
    }

    [Fact]
    public void A_solid_colour_stays_that_colour_at_every_size_and_outside_the_target_nothing_changes()
    {
        YuvColor colour = TestPictures.Colours[4];
        I420Buffer source = TestPictures.Solid(1280, 720, colour);
        var scaler = new I420Scaler();
        foreach ((int w, int h) in new[] { (182, 102), (640, 360), (1920, 1080), (2, 2) })
        {
            var destination = TestPictures.Solid(w + 20, h + 20, YuvColor.Black);
            scaler.Scale(source.View, new PixelRect(0, 0, 1280, 720), destination, new PixelRect(10, 10, w, h));
            Assert.Equal(colour, destination.View.MeanOf(new PixelRect(10, 10, w, h)));
            Assert.Equal(YuvColor.Black, destination.View.PixelAt(8, 8));
            Assert.Equal(YuvColor.Black, destination.View.PixelAt(w + 10, h + 10));
        }
    }

    [Fact]
    public void A_vertical_edge_lands_where_it_should_after_a_large_reduction()
    {
        // Left half red, right half blue, 1280 wide, into 182: the edge at 91 ± 1.
        var source = TestPictures.Solid(1280, 720, TestPictures.Colours[0]);
        source.Fill(new PixelRect(640, 0, 640, 720), TestPictures.Colours[2]);
        var destination = new I420Buffer(182, 102);
        new I420Scaler().Scale(source.View, new PixelRect(0, 0, 1280, 720), destination, new PixelRect(0, 0, 182, 102));
        Assert.Equal(TestPictures.Colours[0], destination.View.PixelAt(88, 50));
        Assert.Equal(TestPictures.Colours[2], destination.View.PixelAt(94, 50));
    }

    [Theory]
    [InlineData(1280, 720, 182, 102, 0, 0, 1280, 720)]   // same aspect (to the even pixel): nearly all of it
    [InlineData(640, 480, 1280, 720, 0, 60, 640, 360)]   // 4:3 into 16:9: top and bottom cropped
    [InlineData(1280, 720, 640, 480, 160, 0, 960, 720)]  // 16:9 into 4:3: the sides cropped
    public void Landscape_pictures_are_cropped_to_fill_the_tile_L7270(int sw, int sh, int tw, int th, int cx, int cy, int cw, int ch)
    {
        (PixelRect crop, PixelRect placement) = I420Scaler.Fit(sw, sh, tw, th);
        Assert.Equal(new PixelRect(0, 0, tw, th), placement);
        Assert.InRange(crop.X, cx - 2, cx + 2);
        Assert.InRange(crop.Y, cy - 2, cy + 2);
        Assert.InRange(crop.Width, cw - 4, cw);
        Assert.InRange(crop.Height, ch - 4, ch);
    }

    [Fact]
    public void Portrait_pictures_are_shown_whole_between_bars_not_cropped_L7270()
    {
        (PixelRect crop, PixelRect placement) = I420Scaler.Fit(720, 1280, 1280, 720);
        Assert.Equal(new PixelRect(0, 0, 720, 1280), crop);
        Assert.Equal(720, placement.Height);
        Assert.Equal(404, placement.Width); // 720 × 720 / 1280 = 405, rounded down to even
        Assert.Equal((1280 - 404) / 2, placement.X);
    }

    [Fact]
    public void Odd_or_outside_rectangles_are_refused()
    {
        var source = new I420Buffer(64, 64);
        var destination = new I420Buffer(32, 32);
        var scaler = new I420Scaler();
        Assert.Throws<ArgumentException>(() => scaler.Scale(source.View, new PixelRect(1, 0, 32, 32), destination, new PixelRect(0, 0, 16, 16)));
        Assert.Throws<ArgumentOutOfRangeException>(() => scaler.Scale(source.View, new PixelRect(0, 0, 66, 32), destination, new PixelRect(0, 0, 16, 16)));
        Assert.Throws<ArgumentOutOfRangeException>(() => scaler.Scale(source.View, new PixelRect(0, 0, 32, 32), destination, new PixelRect(20, 0, 16, 16)));
    }

    /// <summary>The method in plain loops: halve while twice as big both ways, then centre-aligned bilinear.</summary>
    private static byte[,] ReferencePlane(byte[] plane, int stride, int width, int height, int targetWidth, int targetHeight)
    {
        var current = new byte[height, width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                current[y, x] = plane[y * stride + x];

        while (width >= 2 * targetWidth && height >= 2 * targetHeight)
        {
            int hw = width / 2, hh = height / 2;
            var half = new byte[hh, hw];
            for (int y = 0; y < hh; y++)
                for (int x = 0; x < hw; x++)
                    half[y, x] = (byte)((current[2 * y, 2 * x] + current[2 * y, 2 * x + 1] + current[2 * y + 1, 2 * x] + current[2 * y + 1, 2 * x + 1] + 2) / 4);
            (current, width, height) = (half, hw, hh);
        }

        var result = new byte[targetHeight, targetWidth];
        for (int y = 0; y < targetHeight; y++)
        {
            (int sy, int wy) = Position(y, height, targetHeight);
            int sy1 = Math.Min(sy + 1, height - 1);
            for (int x = 0; x < targetWidth; x++)
            {
                (int sx, int wx) = Position(x, width, targetWidth);
                int sx1 = Math.Min(sx + 1, width - 1);
                int top = (current[sy, sx] * (256 - wx) + current[sy, sx1] * wx + 128) / 256;
                int bottom = (current[sy1, sx] * (256 - wx) + current[sy1, sx1] * wx + 128) / 256;
                result[y, x] = (byte)((top * (256 - wy) + bottom * wy + 128) / 256);
            }
        }

        return result;
    }

    /// <summary>Centre-aligned source position of output sample i in 1/256, clamped to the last pair.</summary>
    private static (int Index, int Weight) Position(int i, int sourceLength, int targetLength)
    {
        double position = (i + 0.5) * sourceLength / targetLength - 0.5;
        long scaled = ((2L * i + 1) * sourceLength * 256) / (2L * targetLength) - 128; // the same value in integers
        Assert.InRange(scaled / 256.0, position - 0.01, position + 0.01);
        if (scaled <= 0) return (0, 0);
        int index = (int)(scaled / 256);
        if (index >= sourceLength - 1) return sourceLength == 1 ? (0, 0) : (sourceLength - 2, 256);
        return (index, (int)(scaled % 256));
    }

    private static void AssertPlane(byte[,] expected, ReadOnlySpan<byte> plane, int stride, int x0, int y0, int width, int height, string name)
    {
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                byte actual = plane[(y0 + y) * stride + x0 + x];
                if (actual != expected[y, x])
                {
                    Assert.Fail($"{name} plane differs at ({x},{y}): {actual}, reference {expected[y, x]}");
                }
            }
        }
    }
}
