using System.Runtime.InteropServices;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Codecs.Opus;
using ConferenceCluster.Media.Tests.Support;

namespace ConferenceCluster.Media.Tests.Codecs;

/// <summary>
/// The Opus frame codecs on Concentus 2.2.2: the native path over Debian's libopus0 (what nodes run) and the managed
/// port (the fallback), each against the same behaviour.
/// </summary>
public sealed class OpusCodecTests
{
    private const int FrameSamples = AudioFormat.MixFrameSamples;

    public static TheoryData<OpusCodecPath> Paths => [OpusCodecPath.Native, OpusCodecPath.Managed];

    [Fact]
    public void Concentus_takes_its_native_path_over_debians_libopus_so_0()
    {
        // libopus0 is in scripts/test.sh's package list: on our machines the runtime soname is there, the -dev
        // package's unversioned libopus.so need not be (Concentus's own probe looks only for that one).
        Assert.True(NativeLibrary.TryLoad("libopus.so.0", out IntPtr handle), "libopus.so.0 is missing: apt-get install -y libopus0");
        NativeLibrary.Free(handle);

        OpusImplementation implementation = OpusCodecs.Implementation;
        Assert.Equal(OpusCodecPath.Native, implementation.Path);
        Assert.Equal("libopus.so.0", implementation.NativeLibrary);
        Assert.StartsWith("libopus 1.", implementation.Version);
        Assert.Contains("native", implementation.ToString());
        using Concentus.IOpusEncoder encoder = OpusCodecs.CreateEncoder(AudioFormat.MixSampleRate, 1, Concentus.Enums.OpusApplication.OPUS_APPLICATION_VOIP);
        using Concentus.IOpusDecoder decoder = OpusCodecs.CreateDecoder(AudioFormat.MixSampleRate, 1);
        Assert.Equal("Concentus.Native.NativeOpusEncoder", encoder.GetType().FullName);
        Assert.Equal("Concentus.Native.NativeOpusDecoder", decoder.GetType().FullName);
    }

    [Fact]
    public void The_managed_port_is_really_the_managed_port()
    {
        using Concentus.IOpusEncoder encoder = OpusCodecs.CreateEncoder(OpusCodecPath.Managed, AudioFormat.MixSampleRate, 1, Concentus.Enums.OpusApplication.OPUS_APPLICATION_VOIP);
        Assert.Equal("Concentus.Structs.OpusEncoder", encoder.GetType().FullName);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Round_trip_of_a_1kHz_sine_keeps_its_frequency_and_energy(OpusCodecPath path)
    {
        using var encoder = new OpusFrameEncoder(EncoderProfile.OpusVoice, path);
        using var decoder = new OpusFrameDecoder(path);

        const int Frames = 50; // 1 s
        short[] original = Signals.Sine(Frames * FrameSamples, 1000, 10_000, AudioFormat.MixSampleRate);
        var decoded = new short[original.Length];
        var packet = new byte[AudioFormat.MaxEncodedFrameBytes];
        for (int frame = 0; frame < Frames; frame++)
        {
            int bytes = encoder.Encode(original.AsSpan(frame * FrameSamples, FrameSamples), packet);
            Assert.InRange(bytes, 3, AudioFormat.MaxEncodedFrameBytes);
            Assert.Equal(FrameSamples, decoder.Decode(packet.AsSpan(0, bytes), decoded.AsSpan(frame * FrameSamples, FrameSamples)));
        }

        // Judge the second half second (500 whole cycles), past the codec's start-up and delay.
        ReadOnlySpan<short> steady = decoded.AsSpan(Frames / 2 * FrameSamples);
        Assert.Equal(1000, Goertzel.DominantFrequency(steady, AudioFormat.MixSampleRate, Goertzel.Grid(8000)));
        double toneAmplitude = Goertzel.Amplitude(steady, 1000, AudioFormat.MixSampleRate);
        Assert.InRange(Signals.Db(toneAmplitude / 10_000), -1.5, 1.5);
        double energyRatioDb = Signals.Db(Signals.Rms(steady) / Signals.Rms(original.AsSpan(Frames / 2 * FrameSamples)));
        Assert.InRange(energyRatioDb, -1.5, 1.5);
        Assert.InRange(toneAmplitude / Math.Sqrt(2) / Signals.Rms(steady), 0.95, 1.01);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Concealment_continues_the_tone_and_then_fades(OpusCodecPath path)
    {
        using var encoder = new OpusFrameEncoder(EncoderProfile.OpusVoice, path);
        using var decoder = new OpusFrameDecoder(path);
        var packet = new byte[AudioFormat.MaxEncodedFrameBytes];
        var frame = new short[FrameSamples];
        for (int i = 0; i < 20; i++)
        {
            short[] sine = Signals.Sine(FrameSamples, 1000, 10_000, AudioFormat.MixSampleRate, (long)i * FrameSamples);
            decoder.Decode(packet.AsSpan(0, encoder.Encode(sine, packet)), frame);
        }

        double lastDecodedRms = Signals.Rms(frame);
        Assert.Equal(FrameSamples, decoder.Conceal(frame));
        double firstConcealedRms = Signals.Rms(frame);
        Assert.InRange(firstConcealedRms, lastDecodedRms * 0.25, lastDecodedRms * 1.5);
        Assert.Equal(1000, Goertzel.DominantFrequency(frame, AudioFormat.MixSampleRate, Goertzel.Grid(8000)));

        double rms = firstConcealedRms;
        for (int i = 0; i < 10; i++)
        {
            decoder.Conceal(frame);
            rms = Signals.Rms(frame);
        }

        Assert.True(rms < firstConcealedRms / 4, $"concealment should fade: first {firstConcealedRms:F0}, after 11 frames {rms:F0}");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Fec_recovers_a_lost_frame_from_the_next_packet(OpusCodecPath path)
    {
        // SILK/hybrid territory (24 kbit/s), where LBRR (in-band FEC) exists.
        using var encoder = new OpusFrameEncoder(EncoderProfile.ForOpus(bitrateBps: 24_000, inbandFec: true, packetLossPercent: 20), path);
        using var decoder = new OpusFrameDecoder(path);
        var packets = new byte[30][];
        var buffer = new byte[AudioFormat.MaxEncodedFrameBytes];
        for (int i = 0; i < packets.Length; i++)
        {
            short[] sine = Signals.Sine(FrameSamples, 440, 8_000, AudioFormat.MixSampleRate, (long)i * FrameSamples);
            packets[i] = buffer.AsSpan(0, encoder.Encode(sine, buffer)).ToArray();
        }

        var frame = new short[FrameSamples];
        for (int i = 0; i < 25; i++)
        {
            decoder.Decode(packets[i], frame);
        }

        // Packet 25 is lost; 26 arrives: first recover 25 from 26's FEC, then decode 26 itself.
        Assert.True(decoder.TryRecoverFromFec(packets[26], frame));
        Assert.Equal(440, Goertzel.DominantFrequency(frame, AudioFormat.MixSampleRate, Goertzel.Grid(4000).Append(440)));
        Assert.True(Signals.Rms(frame) > 1000);
        Assert.Equal(FrameSamples, decoder.Decode(packets[26], frame));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Dtx_sends_tiny_packets_for_silence(OpusCodecPath path)
    {
        using var encoder = new OpusFrameEncoder(EncoderProfile.ForOpus(dtx: true), path);
        var silence = new short[FrameSamples];
        var packet = new byte[AudioFormat.MaxEncodedFrameBytes];
        int bytes = 0;
        for (int i = 0; i < 20; i++)
        {
            bytes = encoder.Encode(silence, packet);
        }

        Assert.InRange(bytes, 1, 2);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Corrupt_packets_decode_to_nothing_without_throwing(OpusCodecPath path)
    {
        using var decoder = new OpusFrameDecoder(path);
        var frame = new short[FrameSamples];
        Assert.Equal(0, decoder.Decode([0x03], frame)); // TOC "code 3" needs a frame-count byte that is missing
        Assert.Equal(0, decoder.Decode([], frame));
        Assert.False(decoder.TryRecoverFromFec([0x03], frame));
        var random = new Random(6716);
        var garbage = new byte[200];
        for (int i = 0; i < 200; i++)
        {
            random.NextBytes(garbage);
            int samples = decoder.Decode(garbage.AsSpan(0, 1 + random.Next(garbage.Length)), frame);
            Assert.InRange(samples, 0, FrameSamples);
        }

        Assert.Equal(FrameSamples, decoder.Conceal(frame)); // still usable afterwards
    }

    [Fact]
    public void Wrong_frame_size_and_wrong_codec_are_clear_errors()
    {
        using var encoder = new OpusFrameEncoder(EncoderProfile.OpusVoice);
        var exception = Assert.Throws<ArgumentException>(() => encoder.Encode(new short[100], new byte[AudioFormat.MaxEncodedFrameBytes]));
        Assert.Contains("960 samples", exception.Message);
        Assert.Throws<ArgumentException>(() => new OpusFrameEncoder(EncoderProfile.Pcmu));
    }

    [Fact]
    public void Encode_decode_and_conceal_allocate_nothing_per_frame_on_the_native_path()
    {
        using var encoder = new OpusFrameEncoder(EncoderProfile.OpusVoice, OpusCodecPath.Native);
        using var decoder = new OpusFrameDecoder(OpusCodecPath.Native);
        short[] sine = Signals.Sine(FrameSamples, 1000, 10_000, AudioFormat.MixSampleRate);
        var packet = new byte[AudioFormat.MaxEncodedFrameBytes];
        var frame = new short[FrameSamples];
        for (int i = 0; i < 10; i++)
        {
            decoder.Decode(packet.AsSpan(0, encoder.Encode(sine, packet)), frame);
            decoder.Conceal(frame);
            decoder.TryRecoverFromFec(packet.AsSpan(0, encoder.Encode(sine, packet)), frame);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            int bytes = encoder.Encode(sine, packet);
            decoder.Decode(packet.AsSpan(0, bytes), frame);
            decoder.Conceal(frame);
            decoder.TryRecoverFromFec(packet.AsSpan(0, bytes), frame);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
