using ConferenceCluster.Media.Video.Composition;

namespace ConferenceCluster.Media.Video.Codecs.Vp8;

/// <summary>What <see cref="Vp8Decoder.Decode"/> did with one frame.</summary>
public enum Vp8DecodeResult
{
    /// <summary>Decoded; <see cref="Vp8Decoder.TryGetPicture"/> shows it.</summary>
    Decoded,
    /// <summary>Not a VP8 frame (bad frame tag or key frame start code): dropped.</summary>
    Malformed,
    /// <summary>An inter frame while the decoder waits for a key frame (at the start, or after damage): dropped.</summary>
    AwaitingKeyframe,
    /// <summary>A key frame larger than the decoder accepts (or absurd): dropped before libvpx saw it.</summary>
    TooLarge,
    /// <summary>libvpx rejected the frame or reported it corrupt: the picture freezes until the next key frame.</summary>
    Corrupt,
}

/// <summary>
/// One libvpx VP8 decoder: one incoming stream. Frames from the network are checked before libvpx sees them (frame tag,
/// key frame start code, size against <see cref="MaxMacroblocks"/>); until the first key frame, and after any damage,
/// inter frames are dropped, so the last good picture stays (a frozen tile) until a key frame arrives. Nothing a
/// sender puts in a frame makes this throw.
/// </summary>
/// <remarks>Not thread-safe: a decoder belongs to the one video worker that receives its stream.</remarks>
public sealed unsafe class Vp8Decoder : IDisposable
{
    private readonly VpxCodecHandle _handle;
    private VpxImage* _picture;
    private bool _awaitingKeyframe = true;

    /// <param name="maxMacroblocks">Largest picture accepted, in 16×16 macroblocks (default 1080p).</param>
    /// <exception cref="VpxException">libvpx could not set up a decoder.</exception>
    public Vp8Decoder(int maxMacroblocks = VideoLimits.DefaultMaxDecodeMacroblocks)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMacroblocks);
        if (!VpxNative.TryLoad(out string? problem))
        {
            throw new DllNotFoundException(problem);
        }

        MaxMacroblocks = maxMacroblocks;
        _handle = VpxCodecHandle.Allocate();
        try
        {
            var config = new VpxDecoderConfig { Threads = 1 };
            VpxException.ThrowIfError(
                VpxNative.vpx_codec_dec_init_ver(_handle.Context, VpxNative.vpx_codec_vp8_dx(), &config, default, VpxNative.DecoderAbiVersion),
                "vpx_codec_dec_init_ver");
        }
        catch
        {
            _handle.Dispose();
            throw;
        }
    }

    public int MaxMacroblocks { get; }

    /// <summary>True until the first key frame, and again after a corrupt frame until the next one: time to send PLI.</summary>
    public bool NeedsKeyframe => _awaitingKeyframe;

    /// <summary>Size of the last key frame accepted (0 before the first).</summary>
    public int Width { get; private set; }

    public int Height { get; private set; }

    public long FramesDecoded { get; private set; }

    public long KeyframesDecoded { get; private set; }

    /// <summary>Frames dropped: malformed, too large, corrupt, or inter frames while waiting for a key frame.</summary>
    public long FramesDropped { get; private set; }

    /// <summary>Decodes one whole VP8 frame (the reassembled RTP payloads of one picture).</summary>
    public Vp8DecodeResult Decode(ReadOnlySpan<byte> frame)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (!Vp8FrameHeader.TryParse(frame, out Vp8FrameHeader header))
        {
            return Drop(Vp8DecodeResult.Malformed);
        }

        if (header.IsKeyframe)
        {
            if (VideoLimits.MacroblocksOf(header.Width, header.Height) > MaxMacroblocks || header.Width > VideoLimits.MaxDimension || header.Height > VideoLimits.MaxDimension)
            {
                return Drop(Vp8DecodeResult.TooLarge);
            }
        }
        else if (_awaitingKeyframe)
        {
            return Drop(Vp8DecodeResult.AwaitingKeyframe);
        }

        int result;
        fixed (byte* data = frame)
        {
            result = VpxNative.vpx_codec_decode(_handle, data, (uint)frame.Length, IntPtr.Zero, default);
        }

        int corrupted = 0;
        if (result == 0)
        {
            VpxNative.vpx_codec_control_get(_handle, VpxNative.VP8D_GET_FRAME_CORRUPTED, &corrupted);
        }

        if (result != 0 || corrupted != 0)
        {
            // The references may be damaged: show nothing new until a key frame rebuilds them.
            _picture = null;
            _awaitingKeyframe = true;
            return Drop(Vp8DecodeResult.Corrupt);
        }

        IntPtr iterator = IntPtr.Zero;
        VpxImage* image;
        VpxImage* last = null;
        while ((image = VpxNative.vpx_codec_get_frame(_handle, &iterator)) != null)
        {
            last = image;
        }

        if (last is null || last->Format != VpxNative.VPX_IMG_FMT_I420 || last->DisplayWidth == 0 || last->DisplayHeight == 0)
        {
            // A frame that is not shown (show_frame = 0) decodes into the references only; the picture stays.
            FramesDecoded++;
            return Vp8DecodeResult.Decoded;
        }

        _picture = last;
        if (header.IsKeyframe)
        {
            _awaitingKeyframe = false;
            Width = (int)last->DisplayWidth;
            Height = (int)last->DisplayHeight;
            KeyframesDecoded++;
        }

        FramesDecoded++;
        return Vp8DecodeResult.Decoded;
    }

    /// <summary>
    /// The picture of the last frame decoded, valid until the next <see cref="Decode"/>; false before the first key
    /// frame and after damage (the caller keeps showing what it made of the last good picture).
    /// </summary>
    public bool TryGetPicture(out I420View picture)
    {
        if (_picture is null || _handle.IsClosed)
        {
            picture = default;
            return false;
        }

        VpxImage* image = _picture;
        int width = (int)image->DisplayWidth, height = (int)image->DisplayHeight;
        int chromaHeight = (height + 1) / 2;
        picture = new I420View(
            new ReadOnlySpan<byte>(image->PlaneY, image->StrideY * height),
            image->StrideY,
            new ReadOnlySpan<byte>(image->PlaneU, image->StrideU * chromaHeight),
            new ReadOnlySpan<byte>(image->PlaneV, image->StrideV * chromaHeight),
            image->StrideU,
            width,
            height);
        return true;
    }

    /// <summary>
    /// Frames were lost before the next one (the depacketizer gave up on a hole): the references may be wrong, so inter
    /// frames are dropped, and the picture kept, until a key frame.
    /// </summary>
    public void MarkReferencesLost()
    {
        _picture = null;
        _awaitingKeyframe = true;
    }

    public void Dispose()
    {
        _picture = null;
        _handle.Dispose();
    }

    private Vp8DecodeResult Drop(Vp8DecodeResult reason)
    {
        FramesDropped++;
        return reason;
    }
}
