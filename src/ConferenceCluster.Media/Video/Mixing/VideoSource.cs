using ConferenceCluster.Media.Video.Codecs.Vp8;
using ConferenceCluster.Media.Video.Composition;

namespace ConferenceCluster.Media.Video.Mixing;

/// <summary>
/// One participant's video as this node sees it: decoded once (from its own leg, or from a backplane for a participant
/// on another node), and scaled once per frame into each tile size a picture or a backplane stream needs. If the
/// stream breaks (loss, damage, no key frame yet) the tiles keep the last good picture: the tile freezes (L7112).
/// </summary>
/// <remarks>Worker thread only. Tiles are made on first use and dropped when unused for a while.</remarks>
internal sealed class VideoSource : IDisposable
{
    private const long UnusedTileLifetimeMs = 3000;

    private readonly Dictionary<(int Width, int Height), ScaledTile> _tiles = [];
    private readonly List<(int Width, int Height)> _expired = [];
    private long _pictureVersion;

    public VideoSource(string key, bool isLocal, int maxDecodeMacroblocks)
    {
        Key = key;
        IsLocal = isLocal;
        Decoder = new Vp8Decoder(maxDecodeMacroblocks);
    }

    public string Key { get; }

    /// <summary>From a leg on this node (else from a backplane).</summary>
    public bool IsLocal { get; }

    public Vp8Decoder Decoder { get; }

    /// <summary>Increases with every decoded picture.</summary>
    public long PictureVersion => _pictureVersion;

    /// <summary>Whether a picture was ever decoded (before that a tile shows the camera-off placeholder).</summary>
    public bool HasPicture => _pictureVersion > 0;

    /// <summary>The speech level for voice switching (dBFS): local legs read the audio mixer, remote ones the backplane.</summary>
    public double LevelDbfs { get; set; } = Media.Workers.MediaParticipant.SilentDbfs;

    public long LastFrameMs { get; private set; }

    /// <summary>When <see cref="LevelDbfs"/> was last set from a backplane packet (remote sources).</summary>
    public long LastLevelMs { get; set; }

    /// <summary>Decodes one reassembled frame; the tiles follow at the next frame's composition.</summary>
    public Vp8DecodeResult Decode(ReadOnlySpan<byte> frame, long nowMs)
    {
        Vp8DecodeResult result = Decoder.Decode(frame);
        if (result == Vp8DecodeResult.Decoded && Decoder.TryGetPicture(out _))
        {
            _pictureVersion++;
            LastFrameMs = nowMs;
        }

        return result;
    }

    /// <summary>
    /// This source at <paramref name="width"/>×<paramref name="height"/> (even), scaled from the newest picture if it
    /// changed since; false while there has never been a picture.
    /// </summary>
    /// <param name="changed">Whether the tile was updated now (a new picture, or the first use of this size).</param>
    public bool TryGetTile(int width, int height, I420Scaler scaler, long nowMs, out I420Buffer tile, out bool changed)
    {
        changed = false;
        if (!_tiles.TryGetValue((width, height), out ScaledTile? scaled))
        {
            scaled = new ScaledTile(new I420Buffer(width, height));
            _tiles.Add((width, height), scaled);
        }

        scaled.LastUsedMs = nowMs;
        tile = scaled.Buffer;
        if (scaled.Version != _pictureVersion && Decoder.TryGetPicture(out I420View picture))
        {
            (PixelRect crop, PixelRect placement) = I420Scaler.Fit(picture.Width, picture.Height, width, height);
            if (placement.Width != width || placement.Height != height)
            {
                tile.Fill(YuvColor.Black); // portrait: bars either side
            }

            scaler.Scale(picture, crop, tile, placement);
            scaled.Version = _pictureVersion;
            scaled.HasContent = true;
            changed = true;
        }

        return scaled.HasContent;
    }

    /// <summary>Drops tiles no picture has used for a few seconds (a layout change left them behind).</summary>
    public void DropUnusedTiles(long nowMs)
    {
        foreach (KeyValuePair<(int, int), ScaledTile> entry in _tiles)
        {
            if (nowMs - entry.Value.LastUsedMs > UnusedTileLifetimeMs)
            {
                _expired.Add(entry.Key);
            }
        }

        foreach ((int, int) size in _expired)
        {
            _tiles.Remove(size);
        }

        _expired.Clear();
    }

    public void Dispose() => Decoder.Dispose();

    private sealed class ScaledTile(I420Buffer buffer)
    {
        public I420Buffer Buffer { get; } = buffer;

        public long Version { get; set; }

        public bool HasContent { get; set; }

        public long LastUsedMs { get; set; }
    }
}
