namespace ConferenceCluster.Media.Video;

/// <summary>A conference's Maximum call quality (seed R-QoS-1, L7613–7659): the largest composite anyone receives.</summary>
public enum VideoQuality
{
    /// <summary>SD: 448p (the seed's "SD (448p)", L7685).</summary>
    Sd,

    /// <summary>HD: 720p (the global default).</summary>
    Hd,

    /// <summary>Full HD: 1080p.</summary>
    FullHd,
}

/// <summary>A picture size we compose and encode at, with the bitrate we aim for and the least the seed allows for it.</summary>
/// <param name="MinimumKbps">The seed's minimum bandwidth for the resolution, video only (R-QoS-5, L7675–7689).</param>
public readonly record struct VideoResolution(int Width, int Height, int TargetKbps, int MinimumKbps)
{
    public static readonly VideoResolution FullHd = new(1920, 1080, 2500, 2400);
    public static readonly VideoResolution Hd = new(1280, 720, 1500, 960);
    public static readonly VideoResolution Sd = new(768, 448, 600, 448);
    public static readonly VideoResolution Low = new(512, 288, 350, 200);
    public static readonly VideoResolution Thumbnail = new(320, 180, 200, 64);

    /// <summary>The ladder, largest first: what a receiver is offered, stepping down until it fits its limits.</summary>
    public static readonly IReadOnlyList<VideoResolution> Ladder = [FullHd, Hd, Sd, Low, Thumbnail];

    public int Macroblocks => VideoLimits.MacroblocksOf(Width, Height);

    public static VideoResolution Of(VideoQuality quality) => quality switch
    {
        VideoQuality.Sd => Sd,
        VideoQuality.Hd => Hd,
        VideoQuality.FullHd => FullHd,
        _ => throw new ArgumentOutOfRangeException(nameof(quality), quality, null),
    };

    /// <summary>
    /// The resolution a participant receives: the largest step of the <see cref="Ladder"/> that is within the conference's
    /// maximum quality, within what the endpoint said it can take (imageattr, max-fs), and whose minimum bandwidth its
    /// bandwidth limit covers ("if the bandwidth is too low for the maximum quality, a lower resolution is used", R-QoS-5).
    /// </summary>
    public static VideoResolution ChooseFor(VideoQuality conferenceMaximum, VideoReceiveCapabilities capabilities)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        VideoResolution ceiling = Of(conferenceMaximum);
        foreach (VideoResolution step in Ladder)
        {
            if (step.Macroblocks > ceiling.Macroblocks)
            {
                continue;
            }

            bool fits = (capabilities.MaxWidth is not { } w || step.Width <= w) &&
                (capabilities.MaxHeight is not { } h || step.Height <= h) &&
                (capabilities.MaxMacroblocks is not { } fs || step.Macroblocks <= fs) &&
                (capabilities.MaxBitrateKbps is not { } kbps || step.MinimumKbps <= kbps);
            if (fits)
            {
                return step;
            }
        }

        return Thumbnail;
    }

    public override string ToString() => $"{Width}×{Height}";
}

/// <summary>
/// What an endpoint said it can receive (from its SDP: a=imageattr recv [x=…,y=…], the VP8 fmtp max-fs and max-fr,
/// b=AS / b=TIAS); null where it said nothing.
/// </summary>
public sealed record VideoReceiveCapabilities
{
    public static readonly VideoReceiveCapabilities Unlimited = new();

    public int? MaxWidth { get; init; }

    public int? MaxHeight { get; init; }

    /// <summary>max-fs: the largest frame in 16×16 macroblocks (RFC 7741 §6.1).</summary>
    public int? MaxMacroblocks { get; init; }

    /// <summary>max-fr: frames per second (RFC 7741 §6.1).</summary>
    public int? MaxFrameRate { get; init; }

    /// <summary>The video bandwidth limit in kbit/s (b=TIAS, else b=AS, else the service's outbound limit, R-QoS-4).</summary>
    public int? MaxBitrateKbps { get; init; }
}
