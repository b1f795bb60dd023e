using System.Runtime.InteropServices;
using ConferenceCluster.Media.Video.Composition;

namespace ConferenceCluster.Media.Video.Codecs.Vp8;

/// <summary>
/// One libvpx VP8 encoder: one picture size, one outgoing stream's state. Encodes I420 pictures into VP8 frames in a
/// caller's buffer; key frames on request (<see cref="RequestKeyframe"/>: RTCP PLI/FIR, a new viewer). Timestamps are
/// in the 90 kHz RTP video clock, which is also the encoder's time base, so rate control sees real frame durations.
/// </summary>
/// <remarks>Not thread-safe: an encoder belongs to the one video worker that runs its conference.</remarks>
public sealed unsafe class Vp8Encoder : IDisposable
{
    /// <summary>The RTP clock of video (RFC 7741 §4.1) and the encoder's time base.</summary>
    public const int ClockRate = 90_000;

    private readonly VpxCodecHandle _handle;
    private VpxEncoderConfig _config;
    private bool _keyframeRequested = true;
    private long _lastPts = long.MinValue;

    /// <exception cref="VpxException">libvpx refused the settings.</exception>
    /// <exception cref="DllNotFoundException">libvpx is not installed.</exception>
    public Vp8Encoder(Vp8EncoderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (!VpxNative.TryLoad(out string? problem))
        {
            throw new DllNotFoundException(problem);
        }

        Settings = settings;
        VpxEncoderConfig config;
        VpxException.ThrowIfError(VpxNative.vpx_codec_enc_config_default(VpxNative.vpx_codec_vp8_cx(), &config, 0), "vpx_codec_enc_config_default");
        config.Width = (uint)settings.Width;
        config.Height = (uint)settings.Height;
        config.Threads = (uint)settings.Threads;
        config.Timebase = new VpxRational { Numerator = 1, Denominator = ClockRate };
        config.TargetBitrateKbps = (uint)settings.TargetBitrateKbps;
        config.ErrorResilient = VpxNative.VPX_ERROR_RESILIENT_DEFAULT;
        config.Pass = VpxNative.VPX_RC_ONE_PASS;
        config.LagInFrames = 0;
        config.EndUsage = VpxNative.VPX_CBR;
        config.DropFrameThreshold = 0; // every composed picture is sent: a dropped frame would freeze every viewer of it
        config.MinQuantizer = 2;
        config.MaxQuantizer = 56;
        config.UndershootPercent = 100;
        config.OvershootPercent = 15;
        config.BufferInitialSizeMs = 500;
        config.BufferOptimalSizeMs = 600;
        config.BufferSizeMs = 1000;
        config.KeyframeMode = VpxNative.VPX_KF_AUTO;
        config.KeyframeMinDistance = 0;
        config.KeyframeMaxDistance = (uint)settings.KeyframeMaxInterval;
        _config = config;

        _handle = VpxCodecHandle.Allocate();
        try
        {
            VpxEncoderConfig initial = _config;
            VpxException.ThrowIfError(
                VpxNative.vpx_codec_enc_init_ver(_handle.Context, VpxNative.vpx_codec_vp8_cx(), &initial, default, VpxNative.EncoderAbiVersion),
                "vpx_codec_enc_init_ver");
            Control(VpxNative.VP8E_SET_CPUUSED, settings.CpuUsed, "VP8E_SET_CPUUSED");
            Control(VpxNative.VP8E_SET_STATIC_THRESHOLD, 1, "VP8E_SET_STATIC_THRESHOLD");
            Control(VpxNative.VP8E_SET_NOISE_SENSITIVITY, 0, "VP8E_SET_NOISE_SENSITIVITY");
            Control(VpxNative.VP8E_SET_TOKEN_PARTITIONS, 0, "VP8E_SET_TOKEN_PARTITIONS"); // one partition: one RTP partition index
            Control(VpxNative.VP8E_SET_ENABLEAUTOALTREF, 0, "VP8E_SET_ENABLEAUTOALTREF"); // alt-ref needs lag
            Control(VpxNative.VP8E_SET_MAX_INTRA_BITRATE_PCT, settings.MaxIntraBitratePercent, "VP8E_SET_MAX_INTRA_BITRATE_PCT");
        }
        catch
        {
            _handle.Dispose();
            throw;
        }
    }

    public Vp8EncoderSettings Settings { get; }

    public int Width => Settings.Width;

    public int Height => Settings.Height;

    /// <summary>Upper bound of one encoded frame: the raw picture plus headroom (a VP8 frame never needs more).</summary>
    public int MaxFrameBytes => Width * Height * 3 / 2 + 4096;

    /// <summary>Frames encoded, and how many of them were key frames.</summary>
    public long FramesEncoded { get; private set; }

    public long KeyframesEncoded { get; private set; }

    /// <summary>The rate control's target in kbit/s; applied from the next frame (rc_target_bitrate).</summary>
    public int TargetBitrateKbps
    {
        get => (int)_config.TargetBitrateKbps;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 16);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 100_000);
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            if (value == (int)_config.TargetBitrateKbps)
            {
                return;
            }

            VpxEncoderConfig config = _config;
            config.TargetBitrateKbps = (uint)value;
            VpxException.ThrowIfError(VpxNative.vpx_codec_enc_config_set(_handle, &config), "vpx_codec_enc_config_set", _handle);
            _config = config;
        }
    }

    /// <summary>Whether the next <see cref="Encode"/> will produce a key frame (one was requested, or nothing was encoded yet).</summary>
    public bool KeyframePending => _keyframeRequested;

    /// <summary>The next frame will be a key frame (VPX_EFLAG_FORCE_KF): a PLI/FIR arrived, or a viewer joined.</summary>
    public void RequestKeyframe() => _keyframeRequested = true;

    /// <summary>Encodes one picture.</summary>
    /// <param name="picture">Exactly <see cref="Width"/>×<see cref="Height"/>.</param>
    /// <param name="pts">Presentation time in 90 kHz ticks; strictly increasing.</param>
    /// <param name="duration">The frame's duration in 90 kHz ticks (3000 at 30 fps).</param>
    /// <param name="destination">At least <see cref="MaxFrameBytes"/>.</param>
    /// <param name="keyframe">Whether the frame written is a key frame.</param>
    /// <returns>Bytes written; 0 if libvpx produced no frame.</returns>
    public int Encode(I420View picture, long pts, int duration, Span<byte> destination, out bool keyframe)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (picture.Width != Width || picture.Height != Height)
        {
            throw new ArgumentException($"The encoder takes {Width}×{Height} pictures, not {picture.Width}×{picture.Height}.", nameof(picture));
        }

        if (pts <= _lastPts)
        {
            throw new ArgumentOutOfRangeException(nameof(pts), pts, "Encoder timestamps must increase.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(duration);
        _lastPts = pts;
        keyframe = false;
        int written = 0;
        fixed (byte* y = picture.Y)
        fixed (byte* u = picture.U)
        fixed (byte* v = picture.V)
        {
            VpxImage image = default;
            image.Format = VpxNative.VPX_IMG_FMT_I420;
            image.Width = (uint)Width;
            image.Height = (uint)Height;
            image.DisplayWidth = (uint)Width;
            image.DisplayHeight = (uint)Height;
            image.BitDepth = 8;
            image.XChromaShift = 1;
            image.YChromaShift = 1;
            image.BitsPerSample = 12;
            image.PlaneY = y;
            image.PlaneU = u;
            image.PlaneV = v;
            image.StrideY = picture.StrideY;
            image.StrideU = picture.StrideUV;
            image.StrideV = picture.StrideUV;
            long flags = _keyframeRequested ? VpxNative.VPX_EFLAG_FORCE_KF : 0;
            VpxException.ThrowIfError(
                VpxNative.vpx_codec_encode(_handle, &image, pts, new CULong((nuint)duration), new CLong((nint)flags), new CULong((nuint)VpxNative.VPX_DL_REALTIME)),
                "vpx_codec_encode", _handle);
        }

        IntPtr iterator = IntPtr.Zero;
        VpxCodecCxPacket* packet;
        while ((packet = VpxNative.vpx_codec_get_cx_data(_handle, &iterator)) != null)
        {
            if (packet->Kind != VpxNative.VPX_CODEC_CX_FRAME_PKT)
            {
                continue;
            }

            int size = checked((int)packet->Size);
            if (size > destination.Length - written)
            {
                throw new ArgumentException($"A {size}-byte VP8 frame does not fit the {destination.Length}-byte buffer.", nameof(destination));
            }

            new ReadOnlySpan<byte>(packet->Buffer, size).CopyTo(destination[written..]);
            written += size;
            keyframe |= (packet->Flags & VpxNative.VPX_FRAME_IS_KEY) != 0;
        }

        if (written > 0)
        {
            FramesEncoded++;
            if (keyframe)
            {
                KeyframesEncoded++;
                _keyframeRequested = false;
            }
        }

        return written;
    }

    /// <summary>libvpx's version string, e.g. "v1.12.0".</summary>
    public static string LibraryVersion
    {
        get
        {
            if (!VpxNative.TryLoad(out string? problem))
            {
                throw new DllNotFoundException(problem);
            }

            return Marshal.PtrToStringUTF8(VpxNative.vpx_codec_version_str()) ?? "";
        }
    }

    public void Dispose() => _handle.Dispose();

    private void Control(int id, int value, string name) =>
        VpxException.ThrowIfError(VpxNative.vpx_codec_control_set(_handle, id, value), name, _handle);
}
