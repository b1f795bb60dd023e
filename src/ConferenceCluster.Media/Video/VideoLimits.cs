namespace ConferenceCluster.Media.Video;

/// <summary>
/// Bounds on what the video pipeline accepts, so a picture size from the network (a VP8 keyframe header, a remote
/// SDP) cannot make a worker allocate without limit.
/// </summary>
public static class VideoLimits
{
    /// <summary>VP8 carries 14-bit dimensions; we never need more than 4096 in either.</summary>
    public const int MaxDimension = 4096;

    /// <summary>
    /// Largest picture a decoder accepts by default, in 16×16 macroblocks: 1080p (120 × 68 = 8160), the seed's
    /// highest call quality (Full HD, R-QoS-1). A keyframe announcing more is dropped and counted.
    /// </summary>
    public const int DefaultMaxDecodeMacroblocks = 8160;

    /// <summary>Macroblocks (16×16) a picture of this size covers.</summary>
    public static int MacroblocksOf(int width, int height) => ((width + 15) / 16) * ((height + 15) / 16);

    internal static void ThrowIfInvalidSize(int width, int height)
    {
        if (width is <= 0 or > MaxDimension || height is <= 0 or > MaxDimension)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"{width}×{height}: a picture is 1–{MaxDimension} pixels each way.");
        }
    }
}
