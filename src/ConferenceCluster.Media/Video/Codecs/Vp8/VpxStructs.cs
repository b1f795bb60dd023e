using System.Runtime.InteropServices;

namespace ConferenceCluster.Media.Video.Codecs.Vp8;

// The libvpx 1.12 ABI structures, laid out field for field as the C headers declare them (x86-64 / AArch64 LP64).
// Offsets and sizes were measured with gcc against Debian 12's libvpx-dev headers and are asserted in
// VpxAbiLayoutTests; the comments give the C names and offsets.

/// <summary><c>vpx_rational_t</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VpxRational
{
    public int Numerator;
    public int Denominator;
}

/// <summary><c>vpx_fixed_buf_t</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VpxFixedBuffer
{
    public void* Buffer;
    public nuint Size;
}

/// <summary><c>vpx_image_t</c> (136 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VpxImage
{
    public int Format;          // 0   fmt (vpx_img_fmt_t)
    public int ColorSpace;      // 4   cs
    public int Range;           // 8   range
    public uint Width;          // 12  w: stored width
    public uint Height;         // 16  h
    public uint BitDepth;       // 20  bit_depth
    public uint DisplayWidth;   // 24  d_w
    public uint DisplayHeight;  // 28  d_h
    public uint RenderWidth;    // 32  r_w
    public uint RenderHeight;   // 36  r_h
    public uint XChromaShift;   // 40  x_chroma_shift
    public uint YChromaShift;   // 44  y_chroma_shift
    public byte* PlaneY;        // 48  planes[0]
    public byte* PlaneU;        // 56  planes[1]
    public byte* PlaneV;        // 64  planes[2]
    public byte* PlaneAlpha;    // 72  planes[3]
    public int StrideY;         // 80  stride[0]
    public int StrideU;         // 84  stride[1]
    public int StrideV;         // 88  stride[2]
    public int StrideAlpha;     // 92  stride[3]
    public int BitsPerSample;   // 96  bps
    public void* UserPrivate;   // 104 user_priv
    public byte* ImageData;     // 112 img_data
    public int ImageDataOwner;  // 120 img_data_owner
    public int SelfAllocated;   // 124 self_allocd
    public void* FrameBufferPrivate; // 128 fb_priv
}

/// <summary><c>vpx_codec_ctx_t</c> (56 bytes): allocated by us, initialised and owned by libvpx until destroyed.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VpxCodecContext
{
    public byte* Name;          // 0  name
    public IntPtr Interface;    // 8  iface
    public int Error;           // 16 err
    public byte* ErrorDetail;   // 24 err_detail
    public nint InitFlags;      // 32 init_flags (long)
    public void* Config;        // 40 config (union of cfg pointers)
    public void* Private;       // 48 priv
}

/// <summary><c>vpx_codec_dec_cfg_t</c> (12 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VpxDecoderConfig
{
    public uint Threads;
    public uint Width;
    public uint Height;
}

/// <summary>
/// <c>vpx_codec_cx_pkt_t</c> (136 bytes, a kind and a union); the fields are those of its <c>data.frame</c> member,
/// the only kind (<see cref="VpxNative.VPX_CODEC_CX_FRAME_PKT"/>) we read.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 136)]
internal unsafe struct VpxCodecCxPacket
{
    public int Kind;            // 0  kind
    public byte* Buffer;        // 8  data.frame.buf
    public nuint Size;          // 16 data.frame.sz
    public long Pts;            // 24 data.frame.pts
    public nuint Duration;      // 32 data.frame.duration (unsigned long)
    public uint Flags;          // 40 data.frame.flags
    public int PartitionId;     // 44 data.frame.partition_id
}

/// <summary><c>vpx_codec_enc_cfg_t</c> (504 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VpxEncoderConfig
{
    public uint Usage;                  // 0   g_usage
    public uint Threads;                // 4   g_threads
    public uint Profile;                // 8   g_profile
    public uint Width;                  // 12  g_w
    public uint Height;                 // 16  g_h
    public int BitDepth;                // 20  g_bit_depth
    public uint InputBitDepth;          // 24  g_input_bit_depth
    public VpxRational Timebase;        // 28  g_timebase
    public int ErrorResilient;          // 36  g_error_resilient
    public int Pass;                    // 40  g_pass
    public uint LagInFrames;            // 44  g_lag_in_frames
    public uint DropFrameThreshold;     // 48  rc_dropframe_thresh
    public uint ResizeAllowed;          // 52  rc_resize_allowed
    public uint ScaledWidth;            // 56  rc_scaled_width
    public uint ScaledHeight;           // 60  rc_scaled_height
    public uint ResizeUpThreshold;      // 64  rc_resize_up_thresh
    public uint ResizeDownThreshold;    // 68  rc_resize_down_thresh
    public int EndUsage;                // 72  rc_end_usage
    public VpxFixedBuffer TwoPassStats; // 80  rc_twopass_stats_in
    public VpxFixedBuffer FirstPassMacroblockStats; // 96 rc_firstpass_mb_stats_in
    public uint TargetBitrateKbps;      // 112 rc_target_bitrate
    public uint MinQuantizer;           // 116 rc_min_quantizer
    public uint MaxQuantizer;           // 120 rc_max_quantizer
    public uint UndershootPercent;      // 124 rc_undershoot_pct
    public uint OvershootPercent;       // 128 rc_overshoot_pct
    public uint BufferSizeMs;           // 132 rc_buf_sz
    public uint BufferInitialSizeMs;    // 136 rc_buf_initial_sz
    public uint BufferOptimalSizeMs;    // 140 rc_buf_optimal_sz
    public uint TwoPassVbrBiasPercent;  // 144 rc_2pass_vbr_bias_pct
    public uint TwoPassVbrMinSectionPercent; // 148
    public uint TwoPassVbrMaxSectionPercent; // 152
    public uint TwoPassVbrCorpusComplexity;  // 156
    public int KeyframeMode;            // 160 kf_mode
    public uint KeyframeMinDistance;    // 164 kf_min_dist
    public uint KeyframeMaxDistance;    // 168 kf_max_dist
    public uint SpatialLayers;          // 172 ss_number_layers
    public fixed int SpatialAutoAltRef[5];        // 176 ss_enable_auto_alt_ref[VPX_SS_MAX_LAYERS]
    public fixed uint SpatialTargetBitrate[5];    // 196 ss_target_bitrate
    public uint TemporalLayers;                   // 216 ts_number_layers
    public fixed uint TemporalTargetBitrate[5];   // 220 ts_target_bitrate[VPX_TS_MAX_LAYERS]
    public fixed uint TemporalRateDecimator[5];   // 240 ts_rate_decimator
    public uint TemporalPeriodicity;              // 260 ts_periodicity
    public fixed uint TemporalLayerId[16];        // 264 ts_layer_id[VPX_TS_MAX_PERIODICITY]
    public fixed uint LayerTargetBitrate[12];     // 328 layer_target_bitrate[VPX_MAX_LAYERS]
    public int TemporalLayeringMode;              // 376 temporal_layering_mode
    public int UseVizierRateControlParameters;    // 380 use_vizier_rc_params
    public fixed int VizierRationals[30];         // 384 fifteen vpx_rational_t (active_wq_factor … rd_mult_key_qp_fac)
}
