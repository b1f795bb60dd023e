namespace ConferenceCluster.Media.Video.Codecs.Vp8;

/// <summary>
/// How a <see cref="Vp8Encoder"/> is set up: realtime, one pass, constant bitrate, error resilient, no lag, key frames
/// mostly on request (the values WebRTC's libvpx wrapper uses for camera video; docs/decisions.md, "Rate control").
/// </summary>
public sealed record Vp8EncoderSettings
{
    public required int Width { get; init; }

    public required int Height { get; init; }

    /// <summary>Target bitrate in kbit/s (rc_target_bitrate); changed later with <see cref="Vp8Encoder.TargetBitrateKbps"/> (REMB, caps).</summary>
    public required int TargetBitrateKbps { get; init; }

    /// <summary>
    /// VP8E_SET_CPUUSED, −16…16: in realtime mode a larger magnitude is faster and coarser (negative lets libvpx adapt
    /// the speed to the deadline). Default 8: the speed our per-core capacity is measured at (docs/benchmarks.md).
    /// </summary>
    public int CpuUsed { get; init; } = 8;

    /// <summary>Encoder threads (g_threads); 1 by default: the video workers run one encoder per core at a time.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>
    /// Key frame at the latest every this many frames even if nobody asks (kf_max_dist): a receiver that lost one and
    /// cannot send PLI still recovers. Default 3000 (100 s at 30 fps): key frames are normally on request.
    /// </summary>
    public int KeyframeMaxInterval { get; init; } = 3000;

    /// <summary>
    /// Caps a key frame at this percentage of the per-frame bandwidth (VP8E_SET_MAX_INTRA_BITRATE_PCT), so a key frame
    /// for a new viewer does not burst far above the target. WebRTC's formula gives about 300–900; default 600.
    /// </summary>
    public int MaxIntraBitratePercent { get; init; } = 600;

    internal void Validate()
    {
        VideoLimits.ThrowIfInvalidSize(Width, Height);
        if ((Width & 1) != 0 || (Height & 1) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Width), $"{Width}×{Height}: encoded pictures have even dimensions (4:2:0).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(TargetBitrateKbps, 16);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(TargetBitrateKbps, 100_000);
        ArgumentOutOfRangeException.ThrowIfLessThan(CpuUsed, -16);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(CpuUsed, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(Threads, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Threads, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(KeyframeMaxInterval, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxIntraBitratePercent);
    }
}
