using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ConferenceCluster.Media.Video.Codecs.Vp8;

/// <summary>
/// Owns one <c>vpx_codec_ctx_t</c>: zeroed native memory that <c>vpx_codec_*_init_ver</c> fills in, released with
/// <c>vpx_codec_destroy</c> (harmless on a context whose initialisation failed) and then freed.
/// </summary>
internal sealed unsafe class VpxCodecHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private VpxCodecHandle() : base(ownsHandle: true)
    {
        SetHandle((IntPtr)NativeMemory.AllocZeroed((nuint)sizeof(VpxCodecContext)));
    }

    /// <summary>Allocates the context memory; initialise it with an init function through <see cref="Context"/>.</summary>
    internal static VpxCodecHandle Allocate() => new();

    internal VpxCodecContext* Context => (VpxCodecContext*)handle;

    protected override bool ReleaseHandle()
    {
        VpxNative.vpx_codec_destroy(handle);
        NativeMemory.Free((void*)handle);
        return true;
    }
}
