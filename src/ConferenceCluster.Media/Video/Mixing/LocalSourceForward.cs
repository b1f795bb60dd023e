using ConferenceCluster.Media.Video.Codecs.Vp8;
using ConferenceCluster.Media.Video.Composition;
using ConferenceCluster.Media.Video.Rtp;

namespace ConferenceCluster.Media.Video.Mixing;

/// <summary>
/// A local participant's video as this node sends it over its backplanes (docs/decisions.md, "Backplane video"):
/// decoded here, re-encoded at the size the other nodes need (the conference's full resolution while the participant
/// holds a main position anywhere, a thumbnail otherwise), under one SSRC that every node forwards unchanged, each
/// packet tagged with the participant's key and audio level (<see cref="BackplaneVideoExtension"/>).
/// </summary>
internal sealed class LocalSourceForward : IDisposable
{
    private readonly byte[] _keyUtf8;
    private readonly byte[] _extension = new byte[4 + 4 + BackplaneVideoExtension.MaxKeyBytes + 4];
    private readonly int _cpuUsed;
    private Vp8Encoder? _encoder;
    private byte[] _frame = [];
    private long _sentVersion = -1;
    private bool _keyframeWanted;
    private long _lastKeyframeMs = long.MinValue / 2;

    public LocalSourceForward(VideoSource source, int historyCapacity, int cpuUsed)
    {
        Source = source;
        _cpuUsed = cpuUsed;
        _keyUtf8 = System.Text.Encoding.UTF8.GetBytes(source.Key);
        Stream = new VideoSendStream(BackplaneVideo.PayloadType, historyCapacity: historyCapacity);
    }

    public VideoSource Source { get; }

    public VideoSendStream Stream { get; }

    public VideoResolution Tier { get; private set; }

    public void RequestKeyframe() => _keyframeWanted = true;

    /// <summary>Encodes the source's newest picture at <paramref name="tier"/> if it changed, and starts its packets.</summary>
    /// <returns>The packetizer of the frame to send on every backplane, or false when there is nothing new.</returns>
    public bool TryEncode(VideoResolution tier, I420Scaler scaler, long nowMs, long mediaTime90k, int frameDuration90k, long keyframeIntervalMs,
        out VideoSendStream.FramePacketizer packets)
    {
        packets = default;
        if (_encoder is null || tier != Tier)
        {
            // Moving between main and thumbnail size: a new encoder, whose first frame is a key frame at the new size.
            _encoder?.Dispose();
            _encoder = new Vp8Encoder(new Vp8EncoderSettings { Width = tier.Width, Height = tier.Height, TargetBitrateKbps = tier.TargetKbps, CpuUsed = _cpuUsed });
            _frame = new byte[_encoder.MaxFrameBytes];
            Tier = tier;
            _sentVersion = -1;
        }

        bool keyframeDue = _keyframeWanted && nowMs - _lastKeyframeMs >= keyframeIntervalMs;
        if (Source.PictureVersion == _sentVersion && !keyframeDue)
        {
            return false;
        }

        if (!Source.TryGetTile(tier.Width, tier.Height, scaler, nowMs, out I420Buffer tile, out _))
        {
            return false; // nothing decoded yet
        }

        if (keyframeDue)
        {
            _encoder.RequestKeyframe();
            _keyframeWanted = false;
        }

        int length = _encoder.Encode(tile.View, mediaTime90k, frameDuration90k, _frame, out bool keyframe);
        if (length == 0)
        {
            return false;
        }

        if (keyframe)
        {
            _lastKeyframeMs = nowMs;
        }

        _sentVersion = Source.PictureVersion;
        int extension = BackplaneVideoExtension.Write(_extension, _keyUtf8, Source.LevelDbfs);
        packets = Stream.BeginFrame(_frame.AsSpan(0, length), mediaTime90k, _extension.AsSpan(0, extension));
        return true;
    }

    public void Dispose() => _encoder?.Dispose();
}

/// <summary>Constants of backplane video, the same at both ends of every link (nothing is negotiated).</summary>
public static class BackplaneVideo
{
    /// <summary>The VP8 payload type on backplanes.</summary>
    public const byte PayloadType = 100;
}
