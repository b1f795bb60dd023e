namespace ConferenceCluster.Media.Video.Composition;

/// <summary>
/// A read-only I420 picture: three planes with their strides. Views a <see cref="I420Buffer"/> or a decoder's output
/// (valid until that decoder's next call), so it is a ref struct that cannot outlive the call that made it.
/// </summary>
public readonly ref struct I420View
{
    public I420View(ReadOnlySpan<byte> y, int strideY, ReadOnlySpan<byte> u, ReadOnlySpan<byte> v, int strideUV, int width, int height)
    {
        VideoLimits.ThrowIfInvalidSize(width, height);
        int chromaHeight = (height + 1) / 2;
        if (strideY < width || strideUV < (width + 1) / 2 || y.Length < strideY * (height - 1) + width ||
            u.Length < strideUV * (chromaHeight - 1) + (width + 1) / 2 || v.Length < strideUV * (chromaHeight - 1) + (width + 1) / 2)
        {
            throw new ArgumentException($"The planes are too small for a {width}×{height} picture.");
        }

        Y = y;
        U = u;
        V = v;
        StrideY = strideY;
        StrideUV = strideUV;
        Width = width;
        Height = height;
    }

    public ReadOnlySpan<byte> Y { get; }

    public ReadOnlySpan<byte> U { get; }

    public ReadOnlySpan<byte> V { get; }

    public int StrideY { get; }

    public int StrideUV { get; }

    public int Width { get; }

    public int Height { get; }

    public int ChromaWidth => (Width + 1) / 2;

    public int ChromaHeight => (Height + 1) / 2;

    /// <summary>The pixel's (Y, U, V); for tests and samplers, not for loops.</summary>
    public YuvColor PixelAt(int x, int y) => new(Y[y * StrideY + x], U[y / 2 * StrideUV + x / 2], V[y / 2 * StrideUV + x / 2]);

    /// <summary>The mean (Y, U, V) of a rectangle (clipped); for tests and samplers.</summary>
    public YuvColor MeanOf(PixelRect rect)
    {
        PixelRect r = rect.ClipTo(Width, Height);
        if (r.IsEmpty)
        {
            return default;
        }

        long y = 0, u = 0, v = 0;
        for (int row = r.Y; row < r.Y + r.Height; row++)
        {
            for (int column = r.X; column < r.X + r.Width; column++)
            {
                y += Y[row * StrideY + column];
                u += U[row / 2 * StrideUV + column / 2];
                v += V[row / 2 * StrideUV + column / 2];
            }
        }

        long n = (long)r.Width * r.Height;
        return new YuvColor((byte)(y / n), (byte)(u / n), (byte)(v / n));
    }
}
