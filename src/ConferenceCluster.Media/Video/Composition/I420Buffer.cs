namespace ConferenceCluster.Media.Video.Composition;

/// <summary>
/// A picture in I420 (planar YUV 4:2:0, 8 bits: a full-size Y plane, then U and V at half width and height), owned
/// in one pinned array so libvpx can read it without pinning per call. Made once (per tile size, per encoder) and
/// reused every frame.
/// </summary>
public sealed class I420Buffer
{
    /// <summary>Rows are padded to this many bytes, so SIMD kernels see aligned, whole-vector rows.</summary>
    private const int RowAlignment = 32;

    /// <summary>Bytes after the last plane, so a kernel reading a few bytes past a row's end stays inside the array.</summary>
    private const int TailPadding = 64;

    private readonly byte[] _data;

    /// <exception cref="ArgumentOutOfRangeException">A dimension is not positive or exceeds <see cref="VideoLimits.MaxDimension"/>.</exception>
    public I420Buffer(int width, int height)
    {
        VideoLimits.ThrowIfInvalidSize(width, height);
        Width = width;
        Height = height;
        ChromaWidth = (width + 1) / 2;
        ChromaHeight = (height + 1) / 2;
        StrideY = Align(width);
        StrideUV = Align(ChromaWidth);
        OffsetU = StrideY * height;
        OffsetV = OffsetU + StrideUV * ChromaHeight;
        _data = GC.AllocateArray<byte>(OffsetV + StrideUV * ChromaHeight + TailPadding, pinned: true);
    }

    public int Width { get; }

    public int Height { get; }

    public int ChromaWidth { get; }

    public int ChromaHeight { get; }

    public int StrideY { get; }

    public int StrideUV { get; }

    internal int OffsetU { get; }

    internal int OffsetV { get; }

    /// <summary>The Y plane, <see cref="StrideY"/> bytes per row.</summary>
    public Span<byte> Y => _data.AsSpan(0, StrideY * Height);

    public Span<byte> U => _data.AsSpan(OffsetU, StrideUV * ChromaHeight);

    public Span<byte> V => _data.AsSpan(OffsetV, StrideUV * ChromaHeight);

    /// <summary>The whole picture, read-only.</summary>
    public I420View View => new(Y, StrideY, U, V, StrideUV, Width, Height);

    /// <summary>The pinned array (for the encoder's pointers).</summary>
    internal byte[] Data => _data;

    /// <summary>Paints the whole picture one colour.</summary>
    public void Fill(YuvColor color) => Fill(new PixelRect(0, 0, Width, Height), color);

    /// <summary>Paints a rectangle (clipped to the picture) one colour; chroma covers the rectangle's 2×2 blocks.</summary>
    public void Fill(PixelRect rect, YuvColor color)
    {
        PixelRect clipped = rect.ClipTo(Width, Height);
        if (clipped.IsEmpty)
        {
            return;
        }

        FillPlane(Y, StrideY, clipped.X, clipped.Y, clipped.Width, clipped.Height, color.Y);
        int cx = clipped.X / 2, cy = clipped.Y / 2;
        int cw = (clipped.X + clipped.Width + 1) / 2 - cx, ch = (clipped.Y + clipped.Height + 1) / 2 - cy;
        FillPlane(U, StrideUV, cx, cy, cw, ch, color.U);
        FillPlane(V, StrideUV, cx, cy, cw, ch, color.V);
    }

    /// <summary>Copies <paramref name="source"/> with its top-left corner at (<paramref name="x"/>, <paramref name="y"/>), both even, clipped to this picture.</summary>
    public void Blit(I420View source, int x, int y)
    {
        if ((x & 1) != 0 || (y & 1) != 0)
        {
            throw new ArgumentException("Tiles are placed at even coordinates (4:2:0 chroma covers 2×2 pixels).");
        }

        int width = Math.Min(source.Width, Width - x);
        int height = Math.Min(source.Height, Height - y);
        if (width <= 0 || height <= 0)
        {
            return;
        }

        CopyPlane(source.Y, source.StrideY, Y[(y * StrideY + x)..], StrideY, width, height);
        int cw = (width + 1) / 2, ch = (height + 1) / 2;
        CopyPlane(source.U, source.StrideUV, U[(y / 2 * StrideUV + x / 2)..], StrideUV, cw, ch);
        CopyPlane(source.V, source.StrideUV, V[(y / 2 * StrideUV + x / 2)..], StrideUV, cw, ch);
    }

    private static void FillPlane(Span<byte> plane, int stride, int x, int y, int width, int height, byte value)
    {
        for (int row = 0; row < height; row++)
        {
            plane.Slice((y + row) * stride + x, width).Fill(value);
        }
    }

    private static void CopyPlane(ReadOnlySpan<byte> source, int sourceStride, Span<byte> destination, int destinationStride, int width, int height)
    {
        for (int row = 0; row < height; row++)
        {
            source.Slice(row * sourceStride, width).CopyTo(destination.Slice(row * destinationStride, width));
        }
    }

    private static int Align(int bytes) => (bytes + RowAlignment - 1) / RowAlignment * RowAlignment;
}
