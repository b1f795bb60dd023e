namespace ConferenceCluster.Media.Video.Composition;

/// <summary>
/// Scales (a crop of) an I420 picture into a rectangle of another: first 2×2 box halving while the source is at least
/// twice the target both ways, then bilinear interpolation for the rest (docs/decisions.md, "Scaler"). The halving
/// steps average every source pixel, so large reductions (a 720p camera into a 182-pixel thumbnail) do not alias the
/// way plain bilinear sampling of two pixels out of seven would; the final bilinear step covers ratios between ½ and
/// any enlargement.
/// </summary>
/// <remarks>
/// Pixel centres are aligned (source x = (x + ½) × sourceWidth / targetWidth − ½), the usual convention, so a picture
/// scaled down and up again does not drift. Scratch planes and position tables grow to the largest job and are then
/// reused: scaling allocates nothing once warm. Not thread-safe: one scaler per video worker.
/// </remarks>
public sealed class I420Scaler
{
    private byte[] _halvedA = [];
    private byte[] _halvedB = [];
    private byte[] _rowTop = [];
    private byte[] _rowBottom = [];
    private int[] _columnIndex = [];
    private int[] _columnWeight = [];

    /// <summary>
    /// Scales <paramref name="crop"/> of <paramref name="source"/> to fill <paramref name="target"/> of
    /// <paramref name="destination"/>. Both rectangles must have even position and size (4:2:0 chroma covers 2×2).
    /// </summary>
    public void Scale(I420View source, PixelRect crop, I420Buffer destination, PixelRect target)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ThrowIfNotEven(crop, nameof(crop));
        ThrowIfNotEven(target, nameof(target));
        if (crop.IsEmpty || crop.X < 0 || crop.Y < 0 || crop.Right > source.Width || crop.Bottom > source.Height)
        {
            throw new ArgumentOutOfRangeException(nameof(crop), crop, $"The crop must lie inside the {source.Width}×{source.Height} source.");
        }

        if (target.IsEmpty || target.X < 0 || target.Y < 0 || target.Right > destination.Width || target.Bottom > destination.Height)
        {
            throw new ArgumentOutOfRangeException(nameof(target), target, $"The target must lie inside the {destination.Width}×{destination.Height} picture.");
        }

        ScalePlane(source.Y, source.StrideY, crop.X, crop.Y, crop.Width, crop.Height,
            destination.Y, destination.StrideY, target.X, target.Y, target.Width, target.Height);
        ScalePlane(source.U, source.StrideUV, crop.X / 2, crop.Y / 2, crop.Width / 2, crop.Height / 2,
            destination.U, destination.StrideUV, target.X / 2, target.Y / 2, target.Width / 2, target.Height / 2);
        ScalePlane(source.V, source.StrideUV, crop.X / 2, crop.Y / 2, crop.Width / 2, crop.Height / 2,
            destination.V, destination.StrideUV, target.X / 2, target.Y / 2, target.Width / 2, target.Height / 2);
    }

    /// <summary>
    /// The part of a <paramref name="sourceWidth"/>×<paramref name="sourceHeight"/> picture shown in a
    /// <paramref name="targetWidth"/>×<paramref name="targetHeight"/> tile, and where in the tile: landscape pictures
    /// are cropped to the tile's aspect ratio (centred), portrait ones are shown whole, pillarboxed (seed L7270: main
    /// video is cropped rather than given black bars, except portrait video, which is not cropped).
    /// </summary>
    public static (PixelRect Crop, PixelRect Placement) Fit(int sourceWidth, int sourceHeight, int targetWidth, int targetHeight)
    {
        VideoLimits.ThrowIfInvalidSize(sourceWidth, sourceHeight);
        VideoLimits.ThrowIfInvalidSize(targetWidth, targetHeight);
        int evenSourceWidth = Math.Max(2, sourceWidth & ~1), evenSourceHeight = Math.Max(2, sourceHeight & ~1);
        if (sourceHeight > sourceWidth)
        {
            // Portrait: the whole picture, as tall as the tile, centred between black bars.
            int width = Even(Math.Min(targetWidth, (long)targetHeight * evenSourceWidth / evenSourceHeight));
            return (new PixelRect(0, 0, evenSourceWidth, evenSourceHeight), new PixelRect(((targetWidth - width) / 2) & ~1, 0, width, targetHeight & ~1));
        }

        // Landscape or square: the largest centred part with the tile's aspect ratio, filling the tile.
        long cropWidth = evenSourceWidth, cropHeight = evenSourceHeight;
        if ((long)evenSourceWidth * targetHeight > (long)evenSourceHeight * targetWidth)
        {
            cropWidth = (long)evenSourceHeight * targetWidth / targetHeight; // source is wider than the tile
        }
        else
        {
            cropHeight = (long)evenSourceWidth * targetHeight / targetWidth; // source is taller than the tile
        }

        int cw = Even(cropWidth), ch = Even(cropHeight);
        return (new PixelRect(((evenSourceWidth - cw) / 2) & ~1, ((evenSourceHeight - ch) / 2) & ~1, cw, ch), new PixelRect(0, 0, targetWidth & ~1, targetHeight & ~1));
    }

    private void ScalePlane(ReadOnlySpan<byte> source, int sourceStride, int x, int y, int width, int height,
        Span<byte> destination, int destinationStride, int targetX, int targetY, int targetWidth, int targetHeight)
    {
        if (width == 0 || height == 0 || targetWidth == 0 || targetHeight == 0)
        {
            return;
        }

        ReadOnlySpan<byte> plane = source[(y * sourceStride + x)..];
        int stride = sourceStride;
        bool useA = true;
        while (width >= 2 * targetWidth && height >= 2 * targetHeight)
        {
            int halfWidth = width / 2, halfHeight = height / 2;
            byte[] scratch = useA ? Grow(ref _halvedA, halfWidth * halfHeight) : Grow(ref _halvedB, halfWidth * halfHeight);
            for (int row = 0; row < halfHeight; row++)
            {
                ScalingKernels.HalveRow(plane.Slice(2 * row * stride, 2 * halfWidth), plane.Slice((2 * row + 1) * stride, 2 * halfWidth), scratch.AsSpan(row * halfWidth, halfWidth));
            }

            plane = scratch;
            stride = halfWidth;
            width = halfWidth;
            height = halfHeight;
            useA = !useA;
        }

        Span<byte> output = destination[(targetY * destinationStride + targetX)..];
        if (width == targetWidth && height == targetHeight)
        {
            for (int row = 0; row < height; row++)
            {
                plane.Slice(row * stride, width).CopyTo(output.Slice(row * destinationStride, width));
            }

            return;
        }

        Bilinear(plane, stride, width, height, output, destinationStride, targetWidth, targetHeight);
    }

    private void Bilinear(ReadOnlySpan<byte> plane, int stride, int width, int height, Span<byte> output, int outputStride, int targetWidth, int targetHeight)
    {
        int[] columnIndex = Grow(ref _columnIndex, targetWidth);
        int[] columnWeight = Grow(ref _columnWeight, targetWidth);
        for (int column = 0; column < targetWidth; column++)
        {
            (columnIndex[column], columnWeight[column]) = Position(column, width, targetWidth);
        }

        // A one-pixel-wide source has no right neighbour: interpolate from a two-byte copy of it.
        Span<byte> narrow = stackalloc byte[2];
        byte[] top = Grow(ref _rowTop, targetWidth), bottom = Grow(ref _rowBottom, targetWidth);
        int topRow = -1, bottomRow = -1;
        for (int row = 0; row < targetHeight; row++)
        {
            (int sourceRow, int weight) = Position(row, height, targetHeight);
            int nextRow = Math.Min(sourceRow + 1, height - 1);
            if (sourceRow != topRow)
            {
                if (sourceRow == bottomRow)
                {
                    (top, bottom) = (bottom, top);
                    (topRow, bottomRow) = (bottomRow, -1);
                }
                else
                {
                    Horizontal(plane.Slice(sourceRow * stride, width), top, targetWidth, columnIndex, columnWeight, narrow);
                    topRow = sourceRow;
                }
            }

            if (weight != 0 && nextRow != bottomRow)
            {
                Horizontal(plane.Slice(nextRow * stride, width), bottom, targetWidth, columnIndex, columnWeight, narrow);
                bottomRow = nextRow;
            }

            Span<byte> outputRow = output.Slice(row * outputStride, targetWidth);
            if (weight == 0)
            {
                top.AsSpan(0, targetWidth).CopyTo(outputRow);
            }
            else
            {
                ScalingKernels.BlendRows(top, bottom, weight, outputRow);
            }
        }

        _rowTop = top;
        _rowBottom = bottom;
    }

    private static void Horizontal(ReadOnlySpan<byte> sourceRow, byte[] destination, int targetWidth, int[] columnIndex, int[] columnWeight, Span<byte> narrow)
    {
        if (sourceRow.Length == 1)
        {
            narrow[0] = narrow[1] = sourceRow[0];
            sourceRow = narrow;
        }

        ScalingKernels.InterpolateRow(sourceRow, columnIndex, columnWeight, destination.AsSpan(0, targetWidth));
    }

    /// <summary>
    /// Where output sample <paramref name="i"/> of <paramref name="targetLength"/> falls in a source of
    /// <paramref name="sourceLength"/>: the left/top neighbour and the right/bottom one's weight in 1/256, centres
    /// aligned, clamped at the edges so the neighbour pair never leaves the source.
    /// </summary>
    internal static (int Index, int Weight) Position(int i, int sourceLength, int targetLength)
    {
        // position × 256 = ((2i + 1) × source / (2 × target) − ½) × 256
        long scaled = ((2L * i + 1) * sourceLength * ScalingKernels.WeightOne) / (2L * targetLength) - ScalingKernels.WeightOne / 2;
        if (scaled <= 0)
        {
            return (0, 0);
        }

        int index = (int)(scaled >> 8);
        int weight = (int)(scaled & 0xFF);
        if (index >= sourceLength - 1)
        {
            // Past the last centre: the last pixel itself (as index length − 2 with full weight, so s + 1 stays inside).
            return sourceLength == 1 ? (0, 0) : (sourceLength - 2, ScalingKernels.WeightOne);
        }

        return (index, weight);
    }

    private static T[] Grow<T>(ref T[] array, int length)
    {
        if (array.Length < length)
        {
            array = new T[length];
        }

        return array;
    }

    /// <summary>A size rounded down to even, at least 2.</summary>
    private static int Even(long value) => (int)Math.Max(2, value & ~1L);

    private static void ThrowIfNotEven(PixelRect rect, string name)
    {
        if (((rect.X | rect.Y | rect.Width | rect.Height) & 1) != 0)
        {
            throw new ArgumentException($"{rect}: tiles and crops have even position and size (4:2:0 chroma covers 2×2 pixels).", name);
        }
    }
}
