using ConferenceCluster.Media.Video.Composition;

namespace ConferenceCluster.Media.Tests.Video.Support;

/// <summary>Pictures for video tests: solid colours that survive VP8 and scaling, and a textured moving pattern.</summary>
internal static class TestPictures
{
    /// <summary>Distinct, saturated colours far apart in YUV (each pair differs by ≥ 40 in some component).</summary>
    public static readonly YuvColor[] Colours =
    [
        YuvColor.FromRgb(220, 30, 30),   // red
        YuvColor.FromRgb(30, 200, 40),   // green
        YuvColor.FromRgb(40, 60, 230),   // blue
        YuvColor.FromRgb(230, 220, 40),  // yellow
        YuvColor.FromRgb(200, 40, 210),  // magenta
        YuvColor.FromRgb(40, 210, 210),  // cyan
        YuvColor.FromRgb(250, 140, 20),  // orange
        YuvColor.FromRgb(120, 120, 120), // grey
    ];

    public static I420Buffer Solid(int width, int height, YuvColor colour)
    {
        var buffer = new I420Buffer(width, height);
        buffer.Fill(colour);
        return buffer;
    }

    /// <summary>A colour with a moving texture on top (what a camera gives an encoder: detail and motion).</summary>
    public static void Textured(I420Buffer buffer, YuvColor colour, int frame)
    {
        buffer.Fill(colour);
        Span<byte> y = buffer.Y;
        for (int row = 0; row < buffer.Height; row++)
        {
            for (int column = 0; column < buffer.Width; column++)
            {
                int texture = ((column + frame * 3) / 8 + (row + frame) / 8) % 2 == 0 ? 12 : -12;
                texture += (column * 7 + row * 13 + frame * 5) % 9 - 4;
                y[row * buffer.StrideY + column] = (byte)Math.Clamp(colour.Y + texture, 16, 235);
            }
        }
    }

    /// <summary>Random bytes in every plane (a fixed seed): worst case for scalers' rounding.</summary>
    public static I420Buffer Noise(int width, int height, int seed)
    {
        var buffer = new I420Buffer(width, height);
        var random = new Random(seed);
        random.NextBytes(buffer.Y);
        random.NextBytes(buffer.U);
        random.NextBytes(buffer.V);
        return buffer;
    }
}
