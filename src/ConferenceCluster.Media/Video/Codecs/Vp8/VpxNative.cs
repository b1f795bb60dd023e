using System.Runtime.InteropServices;

namespace ConferenceCluster.Media.Video.Codecs.Vp8;

/// <summary>
/// Source-generated P/Invoke into libvpx (Debian <c>libvpx7</c>, <c>libvpx.so.7</c>, version 1.12). The only place
/// the product touches libvpx; <see cref="Vp8Encoder"/> and <see cref="Vp8Decoder"/> wrap it.
/// </summary>
/// <remarks>
/// <para>
/// The library is named by its soname, which the runtime package ships (there is no unversioned <c>libvpx.so</c>
/// without the -dev package), so the default probing finds it and no resolver is needed (the assembly's one
/// resolver slot belongs to the Opus binding).
/// </para>
/// <para>
/// <c>vpx_codec_control_</c> is a C variadic function; it is bound with fixed signatures (one <c>int</c> or one
/// <c>int*</c> after the control id), sound on x86-64 System V and Linux AArch64 as explained for
/// <c>opus_encoder_ctl</c>. The ABI versions passed to the <c>*_init_ver</c> functions are those of the 1.12 headers;
/// libvpx refuses (VPX_CODEC_ABI_MISMATCH) a library whose structures differ.
/// </para>
/// </remarks>
internal static unsafe partial class VpxNative
{
    internal const string LibraryName = "libvpx.so.7";

    /// <summary>VPX_ENCODER_ABI_VERSION of libvpx 1.12 (15 + VPX_CODEC_ABI_VERSION 9 + VPX_EXT_RATECTRL_ABI_VERSION 1).</summary>
    internal const int EncoderAbiVersion = 25;

    /// <summary>VPX_DECODER_ABI_VERSION of libvpx 1.12 (3 + VPX_CODEC_ABI_VERSION 9).</summary>
    internal const int DecoderAbiVersion = 12;

    internal const int VPX_IMG_FMT_I420 = 0x102;
    internal const int VPX_CODEC_CX_FRAME_PKT = 0;
    internal const uint VPX_FRAME_IS_KEY = 0x1;
    internal const long VPX_EFLAG_FORCE_KF = 1;
    internal const ulong VPX_DL_REALTIME = 1;
    internal const int VPX_ERROR_RESILIENT_DEFAULT = 0x1;
    internal const int VPX_RC_ONE_PASS = 0;
    internal const int VPX_CBR = 1;
    internal const int VPX_KF_AUTO = 1;

    // vp8cx.h / vp8dx.h / vp8.h control ids (enum vp8e_enc_control_id, vp8_dec_control_id).
    internal const int VP8E_SET_CPUUSED = 13;
    internal const int VP8E_SET_ENABLEAUTOALTREF = 14;
    internal const int VP8E_SET_NOISE_SENSITIVITY = 15;
    internal const int VP8E_SET_STATIC_THRESHOLD = 17;
    internal const int VP8E_SET_TOKEN_PARTITIONS = 18;
    internal const int VP8E_SET_MAX_INTRA_BITRATE_PCT = 26;
    internal const int VP8D_GET_FRAME_CORRUPTED = 257;

    /// <summary>Whether libvpx can be loaded here, with the reason when not (for a clear error before the first call).</summary>
    internal static bool TryLoad(out string? problem)
    {
        if (NativeLibrary.TryLoad(LibraryName, typeof(VpxNative).Assembly, null, out _))
        {
            problem = null;
            return true;
        }

        problem = $"libvpx could not be loaded ({LibraryName}). On Debian/Ubuntu install it with: apt-get install -y libvpx7";
        return false;
    }

    [LibraryImport(LibraryName)]
    internal static partial IntPtr vpx_codec_vp8_cx();

    [LibraryImport(LibraryName)]
    internal static partial IntPtr vpx_codec_vp8_dx();

    [LibraryImport(LibraryName)]
    internal static partial IntPtr vpx_codec_version_str();

    [LibraryImport(LibraryName)]
    internal static partial IntPtr vpx_codec_err_to_string(int error);

    [LibraryImport(LibraryName)]
    internal static partial IntPtr vpx_codec_error_detail(VpxCodecHandle context);

    [LibraryImport(LibraryName)]
    internal static partial int vpx_codec_enc_config_default(IntPtr iface, VpxEncoderConfig* config, uint usage);

    [LibraryImport(LibraryName)]
    internal static partial int vpx_codec_enc_init_ver(VpxCodecContext* context, IntPtr iface, VpxEncoderConfig* config, CLong flags, int abiVersion);

    [LibraryImport(LibraryName)]
    internal static partial int vpx_codec_enc_config_set(VpxCodecHandle context, VpxEncoderConfig* config);

    /// <param name="image">The picture, or null to flush.</param>
    /// <param name="deadline">Microseconds to spend, or <see cref="VPX_DL_REALTIME"/>.</param>
    [LibraryImport(LibraryName)]
    internal static partial int vpx_codec_encode(VpxCodecHandle context, VpxImage* image, long pts, CULong duration, CLong flags, CULong deadline);

    [LibraryImport(LibraryName)]
    internal static partial VpxCodecCxPacket* vpx_codec_get_cx_data(VpxCodecHandle context, IntPtr* iterator);

    [LibraryImport(LibraryName)]
    internal static partial int vpx_codec_dec_init_ver(VpxCodecContext* context, IntPtr iface, VpxDecoderConfig* config, CLong flags, int abiVersion);

    [LibraryImport(LibraryName)]
    internal static partial int vpx_codec_decode(VpxCodecHandle context, byte* data, uint length, IntPtr userPrivate, CLong deadline);

    [LibraryImport(LibraryName)]
    internal static partial VpxImage* vpx_codec_get_frame(VpxCodecHandle context, IntPtr* iterator);

    [LibraryImport(LibraryName, EntryPoint = "vpx_codec_control_")]
    internal static partial int vpx_codec_control_set(VpxCodecHandle context, int controlId, int value);

    [LibraryImport(LibraryName, EntryPoint = "vpx_codec_control_")]
    internal static partial int vpx_codec_control_get(VpxCodecHandle context, int controlId, int* value);

    /// <summary>Frees the codec's internals; the context memory itself is the caller's.</summary>
    [LibraryImport(LibraryName)]
    internal static partial int vpx_codec_destroy(IntPtr context);
}
