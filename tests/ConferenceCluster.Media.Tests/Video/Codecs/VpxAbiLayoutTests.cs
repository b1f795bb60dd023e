using System.Runtime.InteropServices;
using ConferenceCluster.Media.Video.Codecs.Vp8;

namespace ConferenceCluster.Media.Tests.Video.Codecs;

/// <summary>
/// The libvpx structures we lay out by hand against the offsets gcc reports for Debian 12's libvpx 1.12 headers
/// (offsetof/sizeof over vpx/vpx_encoder.h, vpx_decoder.h, vpx_image.h on x86-64), and against the library itself:
/// the defaults libvpx writes into our config must land in the fields we name.
/// </summary>
public sealed unsafe class VpxAbiLayoutTests
{
    [Fact]
    public void Vpx_image_matches_the_1_12_header()
    {
        Assert.Equal(136, sizeof(VpxImage));
        Assert.Equal(12, Offset<VpxImage>(nameof(VpxImage.Width)));
        Assert.Equal(24, Offset<VpxImage>(nameof(VpxImage.DisplayWidth)));
        Assert.Equal(40, Offset<VpxImage>(nameof(VpxImage.XChromaShift)));
        Assert.Equal(48, Offset<VpxImage>(nameof(VpxImage.PlaneY)));
        Assert.Equal(72, Offset<VpxImage>(nameof(VpxImage.PlaneAlpha)));
        Assert.Equal(80, Offset<VpxImage>(nameof(VpxImage.StrideY)));
        Assert.Equal(96, Offset<VpxImage>(nameof(VpxImage.BitsPerSample)));
        Assert.Equal(104, Offset<VpxImage>(nameof(VpxImage.UserPrivate)));
        Assert.Equal(112, Offset<VpxImage>(nameof(VpxImage.ImageData)));
        Assert.Equal(124, Offset<VpxImage>(nameof(VpxImage.SelfAllocated)));
        Assert.Equal(128, Offset<VpxImage>(nameof(VpxImage.FrameBufferPrivate)));
    }

    [Fact]
    public void Vpx_codec_enc_cfg_matches_the_1_12_header()
    {
        Assert.Equal(504, sizeof(VpxEncoderConfig));
        Assert.Equal(12, Offset<VpxEncoderConfig>(nameof(VpxEncoderConfig.Width)));
        Assert.Equal(28, Offset<VpxEncoderConfig>(nameof(VpxEncoderConfig.Timebase)));
        Assert.Equal(36, Offset<VpxEncoderConfig>(nameof(VpxEncoderConfig.ErrorResilient)));
        Assert.Equal(48, Offset<VpxEncoderConfig>(nameof(VpxEncoderConfig.DropFrameThreshold)));
        Assert.Equal(72, Offset<VpxEncoderConfig>(nameof(VpxEncoderConfig.EndUsage)));
        Assert.Equal(80, Offset<VpxEncoderConfig>(nameof(VpxEncoderConfig.TwoPassStats)));
        Assert.Equal(96, Offset<VpxEncoderConfig>(nameof(VpxEncoderConfig.FirstPassMacroblockStats)));
        Assert.Equal(112, Offset<VpxEncoderConfig>(nameof(VpxEncoderConfig.TargetBitrateKbps)));
        Assert.Equal(132, Offset<VpxEncoderConfig>(nameof(VpxEncoderConfig.BufferSizeMs)));
        Assert.Equal(160, Offset<VpxEncoderConfig>(nameof(VpxEncoderConfig.KeyframeMode)));
        Assert.Equal(168, Offset<VpxEncoderConfig>(nameof(VpxEncoderConfig.KeyframeMaxDistance)));
        Assert.Equal(176, Offset<VpxEncoderConfig>(nameof(VpxEncoderConfig.SpatialAutoAltRef)));
        Assert.Equal(216, Offset<VpxEncoderConfig>(nameof(VpxEncoderConfig.TemporalLayers)));
        Assert.Equal(264, Offset<VpxEncoderConfig>(nameof(VpxEncoderConfig.TemporalLayerId)));
        Assert.Equal(328, Offset<VpxEncoderConfig>(nameof(VpxEncoderConfig.LayerTargetBitrate)));
        Assert.Equal(376, Offset<VpxEncoderConfig>(nameof(VpxEncoderConfig.TemporalLayeringMode)));
        Assert.Equal(384, Offset<VpxEncoderConfig>(nameof(VpxEncoderConfig.VizierRationals)));
    }

    [Fact]
    public void Context_packet_and_decoder_config_match_the_1_12_headers()
    {
        Assert.Equal(56, sizeof(VpxCodecContext));
        Assert.Equal(16, Offset<VpxCodecContext>(nameof(VpxCodecContext.Error)));
        Assert.Equal(24, Offset<VpxCodecContext>(nameof(VpxCodecContext.ErrorDetail)));
        Assert.Equal(48, Offset<VpxCodecContext>(nameof(VpxCodecContext.Private)));
        Assert.Equal(136, sizeof(VpxCodecCxPacket));
        Assert.Equal(8, Offset<VpxCodecCxPacket>(nameof(VpxCodecCxPacket.Buffer)));
        Assert.Equal(16, Offset<VpxCodecCxPacket>(nameof(VpxCodecCxPacket.Size)));
        Assert.Equal(40, Offset<VpxCodecCxPacket>(nameof(VpxCodecCxPacket.Flags)));
        Assert.Equal(12, sizeof(VpxDecoderConfig));
    }

    [Fact]
    public void The_library_writes_its_vp8_defaults_into_the_fields_we_name()
    {
        VpxEncoderConfig config;
        Assert.Equal(0, VpxNative.vpx_codec_enc_config_default(VpxNative.vpx_codec_vp8_cx(), &config, 0));
        // vp8_cx_iface.c's default configuration: 320×240, 1/30 time base, 256 kbit/s, quantizers 4–63, buffers
        // 6000/4000/5000 ms, automatic key frames at most 128 apart.
        Assert.Equal((320u, 240u), (config.Width, config.Height));
        Assert.Equal((1, 30), (config.Timebase.Numerator, config.Timebase.Denominator));
        Assert.Equal(256u, config.TargetBitrateKbps);
        Assert.Equal((4u, 63u), (config.MinQuantizer, config.MaxQuantizer));
        Assert.Equal((6000u, 4000u, 5000u), (config.BufferSizeMs, config.BufferInitialSizeMs, config.BufferOptimalSizeMs));
        Assert.Equal((1, 128u), (config.KeyframeMode, config.KeyframeMaxDistance));
    }

    [Fact]
    public void Loads_libvpx_1_12()
    {
        Assert.StartsWith("v1.12", Vp8Encoder.LibraryVersion);
    }

    private static int Offset<T>(string field) => (int)Marshal.OffsetOf<T>(field);
}
