using Microsoft.Win32.SafeHandles;

namespace ConferenceCluster.Media.Codecs.Opus;

/// <summary>Owns one native <c>OpusEncoder*</c>; released with <c>opus_encoder_destroy</c>.</summary>
internal sealed class OpusEncoderHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    // The LibraryImport generator instantiates the handle before the call and sets it from the return value.
    public OpusEncoderHandle() : base(ownsHandle: true) { }

    protected override bool ReleaseHandle()
    {
        OpusNative.opus_encoder_destroy(handle);
        return true;
    }
}

/// <summary>Owns one native <c>OpusDecoder*</c>; released with <c>opus_decoder_destroy</c>.</summary>
internal sealed class OpusDecoderHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public OpusDecoderHandle() : base(ownsHandle: true) { }

    protected override bool ReleaseHandle()
    {
        OpusNative.opus_decoder_destroy(handle);
        return true;
    }
}
