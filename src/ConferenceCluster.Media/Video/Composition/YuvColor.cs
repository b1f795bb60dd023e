namespace ConferenceCluster.Media.Video.Composition;

/// <summary>An 8-bit YCbCr colour in the video (limited, 16–235) range, BT.601, as VP8 pictures carry it.</summary>
public readonly record struct YuvColor(byte Y, byte U, byte V)
{
    public static readonly YuvColor Black = FromRgb(0, 0, 0);

    /// <summary>BT.601 limited-range conversion (ITU-R BT.601, integer form used by libyuv and most encoders).</summary>
    public static YuvColor FromRgb(int r, int g, int b) => new(
        Clamp(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16),
        Clamp(((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128),
        Clamp(((112 * r - 94 * g - 18 * b + 128) >> 8) + 128));

    /// <summary>The largest per-component difference to <paramref name="other"/>.</summary>
    public int DistanceTo(YuvColor other) =>
        Math.Max(Math.Abs(Y - other.Y), Math.Max(Math.Abs(U - other.U), Math.Abs(V - other.V)));

    private static byte Clamp(int value) => (byte)Math.Clamp(value, 0, 255);

    public override string ToString() => $"YUV({Y},{U},{V})";
}
