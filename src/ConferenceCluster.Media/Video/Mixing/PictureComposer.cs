using ConferenceCluster.Media.Video.Composition;

namespace ConferenceCluster.Media.Video.Mixing;

/// <summary>
/// Draws one picture of a layout: each participant tile from its source's scaled tile, the "+N" and count tiles, the
/// audio-only indicators and the holding screen. The rectangles of the layout (fractions) become even pixel rectangles
/// at the picture's resolution, so every tile starts on a 2×2 chroma block.
/// </summary>
internal static class PictureComposer
{
    public static readonly YuvColor Background = YuvColor.FromRgb(16, 16, 20);
    public static readonly YuvColor Placeholder = YuvColor.FromRgb(45, 45, 52);
    public static readonly YuvColor IconBackground = YuvColor.FromRgb(30, 30, 36);
    public static readonly YuvColor IconForeground = YuvColor.FromRgb(235, 235, 235);
    public static readonly YuvColor HoldingScreen = YuvColor.FromRgb(20, 40, 80);

    /// <summary>The pixel rectangle of a tile at this resolution: edges rounded to even pixels.</summary>
    public static PixelRect ToPixels(in VideoTile tile, int width, int height)
    {
        int left = Even(tile.X * width), top = Even(tile.Y * height);
        int right = Even((tile.X + tile.Width) * width), bottom = Even((tile.Y + tile.Height) * height);
        return new PixelRect(left, top, Math.Max(0, right - left), Math.Max(0, bottom - top)).ClipTo(width & ~1, height & ~1);
    }

    /// <summary>Composes into <paramref name="canvas"/>; sources are looked up by participant key.</summary>
    /// <returns>Whether anything on the picture changed since the tiles were last drawn (a new picture of some source).</returns>
    public static bool Compose(I420Buffer canvas, IReadOnlyList<VideoTile> tiles, PixelRect[] rects, Func<string, VideoSource?> sources, I420Scaler scaler, long nowMs)
    {
        bool changed = false;
        canvas.Fill(Background);
        for (int i = 0; i < tiles.Count; i++)
        {
            VideoTile tile = tiles[i];
            PixelRect rect = rects[i];
            if (rect.IsEmpty)
            {
                continue;
            }

            switch (tile.Kind)
            {
                case VideoTileKind.Participant:
                    if (tile.ParticipantKey is { } key && sources(key) is { } source &&
                        source.TryGetTile(rect.Width, rect.Height, scaler, nowMs, out I420Buffer scaled, out bool updated))
                    {
                        canvas.Blit(scaled.View, rect.X, rect.Y);
                        changed |= updated;
                    }
                    else
                    {
                        canvas.Fill(rect, Placeholder); // not sending (camera off, L7111) or nothing decoded yet
                    }

                    break;
                case VideoTileKind.Overflow:
                    DrawIcon(canvas, rect, "+", tile.Count);
                    break;
                case VideoTileKind.OthersCount:
                case VideoTileKind.AudioOnlyAggregate:
                    DrawIcon(canvas, rect, "", tile.Count);
                    break;
                case VideoTileKind.AudioOnlyIndicator:
                    canvas.Fill(rect, IconBackground);
                    break;
                case VideoTileKind.HoldingScreen:
                    canvas.Fill(rect, HoldingScreen);
                    break;
            }
        }

        return changed;
    }

    private static void DrawIcon(I420Buffer canvas, PixelRect rect, string prefix, int count)
    {
        canvas.Fill(rect, IconBackground);
        Span<char> text = stackalloc char[12];
        prefix.AsSpan().CopyTo(text);
        count.TryFormat(text[prefix.Length..], out int digits);
        Glyphs.Draw(canvas, rect, text[..(prefix.Length + digits)], IconForeground);
    }

    private static int Even(double value) => (int)Math.Round(value) & ~1;
}
