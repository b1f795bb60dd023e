using ConferenceCluster.Media.Video.Codecs.Vp8;
using ConferenceCluster.Media.Video.Composition;

namespace ConferenceCluster.Media.Video.Mixing;

/// <summary>
/// One distinct picture at one resolution: its canvas, its VP8 encoder, and the legs that receive it. Composed and
/// encoded once per frame however many viewers share it; each viewer's leg only adds its own RTP headers.
/// </summary>
/// <remarks>Worker thread only.</remarks>
internal sealed class PictureEncoder : IDisposable
{
    private readonly byte[] _frame;
    private IReadOnlyList<VideoTile> _tiles = [];
    private PixelRect[] _rects = [];
    private bool _layoutChanged = true;
    private bool _keyframeWanted;
    private long _lastKeyframeMs = long.MinValue / 2;
    private long _lastEncodeMs = long.MinValue / 2;

    public PictureEncoder(VideoResolution resolution, int cpuUsed)
    {
        Resolution = resolution;
        Canvas = new I420Buffer(resolution.Width, resolution.Height);
        Encoder = new Vp8Encoder(new Vp8EncoderSettings
        {
            Width = resolution.Width,
            Height = resolution.Height,
            TargetBitrateKbps = resolution.TargetKbps,
            CpuUsed = cpuUsed,
        });
        _frame = new byte[Encoder.MaxFrameBytes];
    }

    public VideoResolution Resolution { get; }

    public I420Buffer Canvas { get; }

    public Vp8Encoder Encoder { get; }

    /// <summary>The legs receiving this picture (assigned by the conference's plan).</summary>
    public List<VideoLeg> Viewers { get; } = [];

    /// <summary>Set while planning: this encoder still serves a picture.</summary>
    public bool InUse { get; set; }

    public IReadOnlyList<VideoTile> Tiles => _tiles;

    public void SetLayout(IReadOnlyList<VideoTile> tiles)
    {
        if (ReferenceEquals(tiles, _tiles))
        {
            return;
        }

        _tiles = tiles;
        if (_rects.Length != tiles.Count)
        {
            _rects = new PixelRect[tiles.Count];
        }

        for (int i = 0; i < tiles.Count; i++)
        {
            _rects[i] = PictureComposer.ToPixels(tiles[i], Resolution.Width, Resolution.Height);
        }

        _layoutChanged = true;
    }

    /// <summary>A viewer lost a frame (PLI/FIR) or started receiving this picture: a key frame, at most one per interval.</summary>
    public void RequestKeyframe() => _keyframeWanted = true;

    /// <summary>
    /// Composes and encodes this frame if anything changed (a new picture of a source, the layout, a key frame wanted) or
    /// if the last frame is older than <paramref name="refreshMs"/>, and sends it to every viewer.
    /// </summary>
    /// <returns>Whether a frame was sent.</returns>
    public bool EncodeAndSend(Func<string, VideoSource?> sources, I420Scaler scaler, long nowMs, long mediaTime90k, int frameDuration90k, long keyframeIntervalMs, long refreshMs)
    {
        if (Viewers.Count == 0)
        {
            return false;
        }

        bool changed = PictureComposer.Compose(Canvas, _tiles, _rects, sources, scaler, nowMs);
        bool keyframeDue = _keyframeWanted && nowMs - _lastKeyframeMs >= keyframeIntervalMs;
        if (!changed && !_layoutChanged && !keyframeDue && !Encoder.KeyframePending && nowMs - _lastEncodeMs < refreshMs)
        {
            return false;
        }

        if (keyframeDue)
        {
            Encoder.RequestKeyframe();
            _keyframeWanted = false;
        }

        int target = Resolution.TargetKbps;
        foreach (VideoLeg viewer in Viewers)
        {
            target = Math.Min(target, viewer.MaxSendKbps);
        }

        Encoder.TargetBitrateKbps = Math.Max(64, target);
        int length = Encoder.Encode(Canvas.View, mediaTime90k, frameDuration90k, _frame, out bool keyframe);
        if (length == 0)
        {
            return false;
        }

        if (keyframe)
        {
            _lastKeyframeMs = nowMs;
        }

        _layoutChanged = false;
        _lastEncodeMs = nowMs;
        ReadOnlySpan<byte> frame = _frame.AsSpan(0, length);
        foreach (VideoLeg viewer in Viewers)
        {
            viewer.SendFrame(frame, mediaTime90k);
        }

        return true;
    }

    public void Dispose() => Encoder.Dispose();
}
