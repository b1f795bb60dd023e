using System.Runtime.InteropServices;

namespace ConferenceCluster.Media.Video.Codecs.Vp8;

/// <summary>A libvpx call failed. <see cref="Error"/> is its <c>vpx_codec_err_t</c>; the message names the call and says why.</summary>
public sealed class VpxException : Exception
{
    internal VpxException(int error, string operation, string? detail = null)
        : base(FormatMessage(error, operation, detail))
    {
        Error = error;
        Operation = operation;
    }

    /// <summary>The <c>vpx_codec_err_t</c> value (1 generic error, 2 out of memory, 3 ABI mismatch, 5 unsupported bitstream, 7 corrupt frame, 8 invalid parameter).</summary>
    public int Error { get; }

    public string Operation { get; }

    /// <summary>Throws when <paramref name="result"/> is not VPX_CODEC_OK; constant strings only, so success builds none.</summary>
    internal static void ThrowIfError(int result, string operation, VpxCodecHandle? context = null)
    {
        if (result != 0)
        {
            string? detail = context is null || context.IsInvalid || context.IsClosed ? null : Marshal.PtrToStringUTF8(VpxNative.vpx_codec_error_detail(context));
            throw new VpxException(result, operation, detail);
        }
    }

    private static string FormatMessage(int error, string operation, string? detail)
    {
        string text = Marshal.PtrToStringUTF8(VpxNative.vpx_codec_err_to_string(error)) ?? "unknown error";
        string message = $"{operation} failed: {text} ({error})";
        return detail is null ? message : message + ": " + detail;
    }
}
