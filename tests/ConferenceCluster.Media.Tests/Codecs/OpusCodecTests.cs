using ConferenceCluster.Media.Codecs.Opus;
using ConferenceCluster.Media.Tests.Support;

namespace ConferenceCluster.Media.Tests.Codecs;

/// <summary>The libopus binding against the real library (Debian libopus0).</summary>
public sealed class OpusCodecTests
{
    private const int FrameSamples = AudioFormat.MixFrameSamples;

    [Fact]
    public void Loads_the_reference_library()
    {
        Assert.StartsWith("libopus 1.", OpusDecoder.LibraryVersion);
    }

    [Fact]
    public void Round_trip_of_a_1kHz_sine_keeps_its_frequency_and_energy()
    {
        using var encoder = new OpusEncoder();
        encoder.Complexity = 4;
        encoder.Signal = OpusSignal.Voice;
        using var decoder = new OpusDecoder();

        const int Frames = 50; // 1 s
        short[] original = Signals.Sine(Frames * FrameSamples, 1000, 10_000, AudioFormat.MixSampleRate);
        var decoded = new short[original.Length];
        var packet = new byte[AudioFormat.MaxEncodedFrameBytes];
        for (int frame = 0; frame < Frames; frame++)
        {
            int bytes = encoder.Encode(original.AsSpan(frame * FrameSamples, FrameSamples), packet);
            Assert.InRange(bytes, 3, AudioFormat.MaxEncodedFrameBytes);
            Assert.Equal(FrameSamples, OpusDecoder.GetSamplesPerChannel(packet.AsSpan(0, bytes)));
            Assert.Equal(FrameSamples, decoder.Decode(packet.AsSpan(0, bytes), decoded.AsSpan(frame * FrameSamples, FrameSamples)));
        }

        // Judge the second half second (500 whole cycles), past the codec's start-up and delay.
        ReadOnlySpan<short> steady = decoded.AsSpan(Frames / 2 * FrameSamples);
        Assert.Equal(1000, Goertzel.DominantFrequency(steady, AudioFormat.MixSampleRate, Goertzel.Grid(8000)));
        double toneAmplitude = Goertzel.Amplitude(steady, 1000, AudioFormat.MixSampleRate);
        Assert.InRange(Signals.Db(toneAmplitude / 10_000), -1.5, 1.5);
        double energyRatioDb = Signals.Db(Signals.Rms(steady) / Signals.Rms(original.AsSpan(Frames / 2 * FrameSamples)));
        Assert.InRange(energyRatioDb, -1.5, 1.5);
        // Nearly all of the energy is the tone (a sine's RMS is amplitude/√2).
        Assert.InRange(toneAmplitude / Math.Sqrt(2) / Signals.Rms(steady), 0.95, 1.01);
    }

    [Fact]
    public void Concealment_continues_the_tone_and_then_fades()
    {
        using var encoder = new OpusEncoder();
        using var decoder = new OpusDecoder();
        var packet = new byte[AudioFormat.MaxEncodedFrameBytes];
        var frame = new short[FrameSamples];
        for (int i = 0; i < 20; i++)
        {
            short[] sine = Signals.Sine(FrameSamples, 1000, 10_000, AudioFormat.MixSampleRate, (long)i * FrameSamples);
            int bytes = encoder.Encode(sine, packet);
            decoder.Decode(packet.AsSpan(0, bytes), frame);
        }

        double lastDecodedRms = Signals.Rms(frame);

        Assert.Equal(FrameSamples, decoder.Conceal(frame));
        double firstConcealedRms = Signals.Rms(frame);
        Assert.InRange(firstConcealedRms, lastDecodedRms * 0.25, lastDecodedRms * 1.5);
        Assert.Equal(1000, Goertzel.DominantFrequency(frame, AudioFormat.MixSampleRate, Goertzel.Grid(8000)));
        Assert.Equal(FrameSamples, decoder.LastPacketDurationSamples);

        double rms = firstConcealedRms;
        for (int i = 0; i < 10; i++)
        {
            decoder.Conceal(frame);
            rms = Signals.Rms(frame);
        }

        Assert.True(rms < firstConcealedRms / 4, $"concealment should fade: first {firstConcealedRms:F0}, after 11 frames {rms:F0}");
    }

    [Fact]
    public void Fec_recovers_a_lost_frame_from_the_next_packet()
    {
        using var encoder = new OpusEncoder();
        encoder.Bitrate = 24_000; // SILK/hybrid territory, where LBRR (in-band FEC) exists
        encoder.InbandFec = true;
        encoder.PacketLossPercent = 20;
        encoder.Signal = OpusSignal.Voice;
        Assert.True(encoder.InbandFec);
        Assert.Equal(20, encoder.PacketLossPercent);

        using var decoder = new OpusDecoder();
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
        Assert.Equal(FrameSamples, decoder.DecodeFec(packets[26], frame));
        Assert.Equal(440, Goertzel.DominantFrequency(frame, AudioFormat.MixSampleRate, Goertzel.Grid(4000).Append(440)));
        Assert.True(Signals.Rms(frame) > 1000);
        Assert.Equal(FrameSamples, decoder.Decode(packets[26], frame));
    }

    [Fact]
    public void Encoder_settings_round_trip_through_ctl()
    {
        using var encoder = new OpusEncoder();
        encoder.Bitrate = 32_000;
        encoder.Complexity = 7;
        encoder.Dtx = true;
        encoder.Signal = OpusSignal.Voice;
        encoder.MaxBandwidth = OpusBandwidth.Wideband;
        encoder.Vbr = false;

        Assert.Equal(32_000, encoder.Bitrate);
        Assert.Equal(7, encoder.Complexity);
        Assert.True(encoder.Dtx);
        Assert.Equal(OpusSignal.Voice, encoder.Signal);
        Assert.Equal(OpusBandwidth.Wideband, encoder.MaxBandwidth);
        Assert.False(encoder.Vbr);
        Assert.InRange(encoder.LookaheadSamples, 1, 960);
    }

    [Fact]
    public void Dtx_sends_tiny_packets_for_silence()
    {
        using var encoder = new OpusEncoder();
        encoder.Dtx = true;
        var silence = new short[FrameSamples];
        var packet = new byte[AudioFormat.MaxEncodedFrameBytes];
        int bytes = 0;
        for (int i = 0; i < 20; i++)
        {
            bytes = encoder.Encode(silence, packet);
        }

        Assert.InRange(bytes, 1, 2);
    }

    [Fact]
    public void Wrong_frame_size_is_a_clear_opus_error()
    {
        using var encoder = new OpusEncoder();
        var packet = new byte[AudioFormat.MaxEncodedFrameBytes];
        var exception = Assert.Throws<OpusException>(() => encoder.Encode(new short[100], packet));
        Assert.Equal(OpusError.BadArgument, exception.Error);
        Assert.Equal("opus_encode", exception.Operation);
        Assert.Contains("100 samples per channel", exception.Message);
        Assert.Contains("invalid argument", exception.Message);
    }

    [Fact]
    public void Corrupt_packet_is_reported_without_throwing_by_TryDecode_and_with_an_exception_by_Decode()
    {
        using var decoder = new OpusDecoder();
        var frame = new short[FrameSamples];
        byte[] corrupt = [0x03]; // TOC "code 3" needs a frame-count byte that is missing

        Assert.False(decoder.TryDecode(corrupt, frame, out int samples, out OpusError error));
        Assert.Equal(0, samples);
        Assert.Equal(OpusError.InvalidPacket, error);

        var exception = Assert.Throws<OpusException>(() => decoder.Decode(corrupt, frame));
        Assert.Equal(OpusError.InvalidPacket, exception.Error);
        Assert.Throws<ArgumentException>(() => decoder.Decode([], frame));
    }

    [Fact]
    public void Decode_into_a_too_small_frame_is_buffer_too_small()
    {
        using var encoder = new OpusEncoder();
        using var decoder = new OpusDecoder();
        var packet = new byte[AudioFormat.MaxEncodedFrameBytes];
        int bytes = encoder.Encode(Signals.Sine(FrameSamples, 1000, 5000, AudioFormat.MixSampleRate), packet);

        var exception = Assert.Throws<OpusException>(() => decoder.Decode(packet.AsSpan(0, bytes), new short[480]));
        Assert.Equal(OpusError.BufferTooSmall, exception.Error);
    }

    [Fact]
    public void Invalid_parameters_and_disposed_codecs_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OpusEncoder(44_100));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OpusDecoder(48_000, 3));

        var encoder = new OpusEncoder();
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Complexity = 11);
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.PacketLossPercent = -1);
        var bitrateError = Assert.Throws<OpusException>(() => encoder.Bitrate = -5);
        Assert.Equal(OpusError.BadArgument, bitrateError.Error);
        encoder.Dispose();
        Assert.Throws<ObjectDisposedException>(() => encoder.Encode(new short[FrameSamples], new byte[100]));

        var decoder = new OpusDecoder();
        decoder.Dispose();
        Assert.Throws<ObjectDisposedException>(() => decoder.Conceal(new short[FrameSamples]));
    }

    [Fact]
    public void Encode_and_decode_allocate_nothing_per_frame()
    {
        using var encoder = new OpusEncoder();
        using var decoder = new OpusDecoder();
        short[] sine = Signals.Sine(FrameSamples, 1000, 10_000, AudioFormat.MixSampleRate);
        var packet = new byte[AudioFormat.MaxEncodedFrameBytes];
        var frame = new short[FrameSamples];
        for (int i = 0; i < 10; i++)
        {
            decoder.Decode(packet.AsSpan(0, encoder.Encode(sine, packet)), frame);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            decoder.Decode(packet.AsSpan(0, encoder.Encode(sine, packet)), frame);
            decoder.Conceal(frame);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
