namespace ConferenceCluster.Media.Video.Composition;

/// <summary>A rectangle of pixels: left, top, width, height.</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height)
{
    public bool IsEmpty => Width <= 0 || Height <= 0;

    public int Right => X + Width;

    public int Bottom => Y + Height;

    public PixelRect ClipTo(int width, int height)
    {
        int left = Math.Max(0, X), top = Math.Max(0, Y);
        int right = Math.Min(width, Right), bottom = Math.Min(height, Bottom);
        return new PixelRect(left, top, Math.Max(0, right - left), Math.Max(0, bottom - top));
    }

    /// <summary>The centre half (each side a quarter in), where a tile's colour is sampled without its edges.</summary>
    public PixelRect Inner => new(X + Width / 4, Y + Height / 4, Math.Max(1, Width / 2), Math.Max(1, Height / 2));

    public override string ToString() => $"{Width}×{Height}@({X},{Y})";
}
