using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConferenceCluster.Media.Codecs.Opus;

/// <summary>
/// Source-generated P/Invoke into the reference libopus (Debian <c>libopus0</c>, <c>libopus.so.0</c>).
/// </summary>
/// <remarks>
/// <para>
/// <c>opus_encoder_ctl</c>/<c>opus_decoder_ctl</c> are C variadic functions. They are bound here with fixed
/// signatures (one <c>int</c> or one <c>int*</c> after the request code). That is sound on the ABIs we run on:
/// on x86-64 System V variadic integer/pointer arguments travel in the same registers as named ones (the
/// callee only reads <c>%al</c> as an upper bound of vector registers to spill), and on Linux AArch64 AAPCS64
/// passes them like named arguments too. It is <em>not</em> sound on Apple arm64, which puts variadic
/// arguments on the stack; we do not target it.
/// </para>
/// <para>
/// The static constructor installs the <see cref="NativeLibrary"/> resolver before the first call, so the
/// logical name <c>opus</c> maps to the soname <c>libopus.so.0</c> that the runtime package ships (there is no
/// unversioned <c>libopus.so</c> without the -dev package).
/// </para>
/// </remarks>
internal static unsafe partial class OpusNative
{
    private const string LibraryName = "opus";

    /// <summary>Sonames tried in order: Debian/Ubuntu runtime package first, then other platforms' names.</summary>
    private static readonly string[] LibraryCandidates = ["libopus.so.0", "libopus.so", "libopus.0.dylib", "opus.dll"];

    static OpusNative()
    {
        NativeLibrary.SetDllImportResolver(typeof(OpusNative).Assembly, ResolveLibrary);
    }

    /// <summary>Forces the static constructor (and with it the resolver) to run; idempotent.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void EnsureResolverInstalled() { }

    private static IntPtr ResolveLibrary(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibraryName)
        {
            return IntPtr.Zero; // not ours: let the runtime's default probing handle it
        }

        foreach (string candidate in LibraryCandidates)
        {
            if (NativeLibrary.TryLoad(candidate, assembly, searchPath, out IntPtr handle))
            {
                return handle;
            }
        }

        throw new DllNotFoundException(
            "libopus could not be loaded (tried " + string.Join(", ", LibraryCandidates) +
            "). On Debian/Ubuntu install it with: apt-get install -y libopus0");
    }

    // Application, signal and bandwidth values (opus_defines.h).
    internal const int OPUS_AUTO = -1000;
    internal const int OPUS_BITRATE_MAX = -1;

    // CTL request codes (opus_defines.h, libopus 1.3).
    internal const int OPUS_SET_BITRATE_REQUEST = 4002;
    internal const int OPUS_GET_BITRATE_REQUEST = 4003;
    internal const int OPUS_SET_MAX_BANDWIDTH_REQUEST = 4004;
    internal const int OPUS_GET_MAX_BANDWIDTH_REQUEST = 4005;
    internal const int OPUS_SET_VBR_REQUEST = 4006;
    internal const int OPUS_GET_VBR_REQUEST = 4007;
    internal const int OPUS_SET_COMPLEXITY_REQUEST = 4010;
    internal const int OPUS_GET_COMPLEXITY_REQUEST = 4011;
    internal const int OPUS_SET_INBAND_FEC_REQUEST = 4012;
    internal const int OPUS_GET_INBAND_FEC_REQUEST = 4013;
    internal const int OPUS_SET_PACKET_LOSS_PERC_REQUEST = 4014;
    internal const int OPUS_GET_PACKET_LOSS_PERC_REQUEST = 4015;
    internal const int OPUS_SET_DTX_REQUEST = 4016;
    internal const int OPUS_GET_DTX_REQUEST = 4017;
    internal const int OPUS_SET_SIGNAL_REQUEST = 4024;
    internal const int OPUS_GET_SIGNAL_REQUEST = 4025;
    internal const int OPUS_GET_LOOKAHEAD_REQUEST = 4027;
    internal const int OPUS_RESET_STATE = 4028;
    internal const int OPUS_GET_LAST_PACKET_DURATION_REQUEST = 4039;

    [LibraryImport(LibraryName)]
    internal static partial OpusEncoderHandle opus_encoder_create(int sampleRate, int channels, int application, out int error);

    [LibraryImport(LibraryName)]
    internal static partial void opus_encoder_destroy(IntPtr encoder);

    [LibraryImport(LibraryName)]
    internal static partial int opus_encode(OpusEncoderHandle encoder, short* pcm, int frameSizePerChannel, byte* data, int maxDataBytes);

    [LibraryImport(LibraryName, EntryPoint = "opus_encoder_ctl")]
    internal static partial int opus_encoder_ctl_set(OpusEncoderHandle encoder, int request, int value);

    [LibraryImport(LibraryName, EntryPoint = "opus_encoder_ctl")]
    internal static partial int opus_encoder_ctl_get(OpusEncoderHandle encoder, int request, int* value);

    [LibraryImport(LibraryName, EntryPoint = "opus_encoder_ctl")]
    internal static partial int opus_encoder_ctl_reset(OpusEncoderHandle encoder, int request);

    [LibraryImport(LibraryName)]
    internal static partial OpusDecoderHandle opus_decoder_create(int sampleRate, int channels, out int error);

    [LibraryImport(LibraryName)]
    internal static partial void opus_decoder_destroy(IntPtr decoder);

    /// <param name="data">Packet, or null to run packet-loss concealment.</param>
    /// <param name="decodeFec">1 to decode the in-band FEC copy of the <em>previous</em> frame carried by <paramref name="data"/>.</param>
    [LibraryImport(LibraryName)]
    internal static partial int opus_decode(OpusDecoderHandle decoder, byte* data, int length, short* pcm, int frameSizePerChannel, int decodeFec);

    [LibraryImport(LibraryName, EntryPoint = "opus_decoder_ctl")]
    internal static partial int opus_decoder_ctl_get(OpusDecoderHandle decoder, int request, int* value);

    [LibraryImport(LibraryName, EntryPoint = "opus_decoder_ctl")]
    internal static partial int opus_decoder_ctl_reset(OpusDecoderHandle decoder, int request);

    [LibraryImport(LibraryName)]
    internal static partial int opus_packet_get_nb_samples(byte* packet, int length, int sampleRate);

    [LibraryImport(LibraryName)]
    internal static partial IntPtr opus_strerror(int error);

    [LibraryImport(LibraryName)]
    internal static partial IntPtr opus_get_version_string();
}
