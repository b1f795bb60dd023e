namespace ConferenceCluster.Conferencing.Layouts;

/// <summary>
/// Where each position of a layout lies on a 16:9 picture, as fractions. Every participant tile is itself 16:9, so a
/// 16:9 camera fills it uncropped; the arrangement is the seed's (L7174–7180, L7218–7224), the proportions ours
/// (docs/decisions.md, "Layout geometry"):
/// <list type="bullet">
/// <item>1+7: seven 1/7-wide thumbnails in one row at the bottom (16:9, so each is also 1/7 of the height); the main
/// speaker above them, 6/7 of the width and height, centred.</item>
/// <item>1+21: three such rows; the main speaker "slightly smaller", 4/7, centred above them.</item>
/// <item>2+21: the two main positions side by side, each half the picture, over the three thumbnail rows.</item>
/// <item>4+0: 2 × 2 quarters; three: one centred on top, two below; two: side by side; one: full screen (L7175).</item>
/// </list>
/// Overlays (the others-count icon, audio-only indicators) sit on top of the tiles, bottom right and on the left.
/// </summary>
public static class LayoutGeometry
{
    private const double Seventh = 1.0 / 7;

    public static readonly LayoutRect FullScreen = new(0, 0, 1, 1);

    /// <summary>The small icon at the bottom right of 1+0 and 4+0 (L7174, L7175).</summary>
    public static readonly LayoutRect OthersCountIcon = new(0.875, 0.85, 0.1, 0.1);

    /// <summary>The rectangles of <paramref name="count"/> main positions (1 to the layout's <see cref="LayoutKinds.MainPositions"/>).</summary>
    public static IReadOnlyList<LayoutRect> MainPositions(LayoutKind kind, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, kind.MainPositions());
        return (kind, count) switch
        {
            (_, 0) => [],
            (LayoutKind.OnePlusZero, _) => [FullScreen],
            (LayoutKind.FourPlusZero, 1) => [FullScreen],
            (LayoutKind.FourPlusZero, 2) => [new(0, 0.25, 0.5, 0.5), new(0.5, 0.25, 0.5, 0.5)],
            (LayoutKind.FourPlusZero, 3) => [new(0.25, 0, 0.5, 0.5), new(0, 0.5, 0.5, 0.5), new(0.5, 0.5, 0.5, 0.5)],
            (LayoutKind.FourPlusZero, _) => [new(0, 0, 0.5, 0.5), new(0.5, 0, 0.5, 0.5), new(0, 0.5, 0.5, 0.5), new(0.5, 0.5, 0.5, 0.5)],
            (LayoutKind.OnePlusSeven, _) => [new(Seventh / 2, 0, 6 * Seventh, 6 * Seventh)],
            (LayoutKind.OnePlusTwentyOne, _) => [new(1.5 * Seventh, 0, 4 * Seventh, 4 * Seventh)],
            (LayoutKind.TwoPlusTwentyOne, 1) => [new(0.25, 0, 0.5, 0.5)],
            (LayoutKind.TwoPlusTwentyOne, _) => [new(0, 0, 0.5, 0.5), new(0.5, 0, 0.5, 0.5)],
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    /// <summary>Thumbnail <paramref name="index"/> (0 = leftmost of the top thumbnail row, then left to right, row by row).</summary>
    public static LayoutRect Thumbnail(LayoutKind kind, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, kind.Thumbnails());
        double top = kind switch
        {
            LayoutKind.OnePlusSeven => 6 * Seventh,
            LayoutKind.OnePlusTwentyOne => 4 * Seventh,
            _ => 0.5, // 2+21: below the two main positions
        };
        return new LayoutRect(index % 7 * Seventh, top + index / 7 * Seventh, Seventh, Seventh);
    }

    /// <summary>Audio-only indicator <paramref name="index"/> (0–3, or 0 for the aggregate) on the left, top down (L7097).</summary>
    public static LayoutRect AudioOnlyIndicator(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, 3);
        return new LayoutRect(0.015, 0.05 + index * 0.12, 0.05, 0.09);
    }
}
