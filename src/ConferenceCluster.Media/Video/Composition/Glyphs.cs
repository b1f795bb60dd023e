namespace ConferenceCluster.Media.Video.Composition;

/// <summary>
/// A 3×5 pixel font for the digits and '+', enough to draw "+N" and counts on the overflow and indicator tiles
/// (the seed's icons carry numbers, L7105, L7113, L7174). Each glyph is drawn as solid blocks, scaled to fit.
/// </summary>
public static class Glyphs
{
    // Rows top to bottom, 3 bits each (bit 2 = left column).
    private static readonly int[][] Shapes =
    [
        [7, 5, 5, 5, 7], [2, 6, 2, 2, 7], [7, 1, 7, 4, 7], [7, 1, 7, 1, 7], [5, 5, 7, 1, 1],
        [7, 4, 7, 1, 7], [7, 4, 7, 5, 7], [7, 1, 1, 1, 1], [7, 5, 7, 5, 7], [7, 5, 7, 1, 7],
        [0, 2, 7, 2, 0], // '+'
    ];

    /// <summary>Draws <paramref name="text"/> (digits and '+') centred in <paramref name="area"/>, as large as fits.</summary>
    public static void Draw(I420Buffer picture, PixelRect area, ReadOnlySpan<char> text, YuvColor color)
    {
        if (text.IsEmpty || area.IsEmpty)
        {
            return;
        }

        // Each glyph is 3 cells wide plus 1 of spacing, 5 tall; cells are even-sized squares (2×2 chroma blocks).
        int columns = text.Length * 4 - 1;
        int cell = Math.Min(area.Width * 3 / 4 / columns, area.Height * 3 / 5 / 5) & ~1;
        if (cell < 2)
        {
            return; // too small to be legible: the tile's colour says enough
        }

        int x = (area.X + (area.Width - columns * cell) / 2) & ~1;
        int y = (area.Y + (area.Height - 5 * cell) / 2) & ~1;
        foreach (char c in text)
        {
            int glyph = c == '+' ? 10 : c is >= '0' and <= '9' ? c - '0' : -1;
            if (glyph >= 0)
            {
                int[] rows = Shapes[glyph];
                for (int row = 0; row < 5; row++)
                {
                    for (int column = 0; column < 3; column++)
                    {
                        if ((rows[row] & (4 >> column)) != 0)
                        {
                            picture.Fill(new PixelRect(x + column * cell, y + row * cell, cell, cell), color);
                        }
                    }
                }
            }

            x += 4 * cell;
        }
    }
}
