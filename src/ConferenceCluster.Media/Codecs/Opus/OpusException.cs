using System.Runtime.InteropServices;

namespace ConferenceCluster.Media.Codecs.Opus;

/// <summary>A libopus call returned an error code. <see cref="Error"/> says which; the message says which call and why.</summary>
public sealed class OpusException : Exception
{
    public OpusException(OpusError error, string operation, string? detail = null)
        : base(FormatMessage(error, operation, detail))
    {
        Error = error;
        Operation = operation;
    }

    /// <summary>The libopus error code.</summary>
    public OpusError Error { get; }

    /// <summary>The C function (and CTL, if any) that failed, e.g. <c>opus_encoder_ctl(OPUS_SET_BITRATE)</c>.</summary>
    public string Operation { get; }

    /// <summary>libopus's own text for an error code (<c>opus_strerror</c>).</summary>
    public static string Describe(OpusError error)
    {
        IntPtr text = OpusNative.opus_strerror((int)error);
        return Marshal.PtrToStringUTF8(text) ?? error.ToString();
    }

    /// <summary>
    /// Throws when <paramref name="result"/> is negative (a libopus error); returns it otherwise. Takes only
    /// constant strings: callers that need an interpolated detail check the result first, so the success path
    /// builds no string.
    /// </summary>
    internal static int ThrowIfError(int result, string operation)
    {
        if (result < 0)
        {
            throw new OpusException((OpusError)result, operation);
        }

        return result;
    }

    private static string FormatMessage(OpusError error, string operation, string? detail)
    {
        string message = $"{operation} failed: {Describe(error)} ({error}, {(int)error})";
        return detail is null ? message : message + ": " + detail;
    }
}
