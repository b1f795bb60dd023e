using ConferenceCluster.Media.Tests.Video.Support;
using ConferenceCluster.Media.Video.Codecs.Vp8;
using ConferenceCluster.Media.Video.Composition;

namespace ConferenceCluster.Media.Tests.Video.Codecs;

/// <summary>The VP8 encoder and decoder against the real libvpx: round trip, key frames on request, bad input.</summary>
public sealed class Vp8CodecTests
{
    private const int FrameTicks = 3000; // 30 fps in the 90 kHz clock

    [Fact]
    public void A_solid_colour_survives_encode_and_decode()
    {
        YuvColor colour = TestPictures.Colours[2];
        using var encoder = new Vp8Encoder(new Vp8EncoderSettings { Width = 320, Height = 180, TargetBitrateKbps = 300 });
        using var decoder = new Vp8Decoder();
        I420Buffer picture = TestPictures.Solid(320, 180, colour);
        var frame = new byte[encoder.MaxFrameBytes];
        for (int i = 0; i < 10; i++)
        {
            int bytes = encoder.Encode(picture.View, (i + 1) * FrameTicks, FrameTicks, frame, out bool keyframe);
            Assert.True(bytes > 0);
            Assert.Equal(i == 0, keyframe);
            Assert.Equal(Vp8DecodeResult.Decoded, decoder.Decode(frame.AsSpan(0, bytes)));
        }

        Assert.True(decoder.TryGetPicture(out I420View decoded));
        Assert.Equal((320, 180), (decoded.Width, decoded.Height));
        Assert.True(decoded.MeanOf(new PixelRect(0, 0, 320, 180)).DistanceTo(colour) <= 3, $"decoded {decoded.MeanOf(new PixelRect(0, 0, 320, 180))}, sent {colour}");
        Assert.Equal((10, 1), (decoder.FramesDecoded, decoder.KeyframesDecoded));
    }

    [Fact]
    public void A_keyframe_request_makes_the_next_frame_a_keyframe_and_only_that_one()
    {
        using var encoder = new Vp8Encoder(new Vp8EncoderSettings { Width = 160, Height = 96, TargetBitrateKbps = 200 });
        var picture = new I420Buffer(160, 96);
        var frame = new byte[encoder.MaxFrameBytes];
        var keyframes = new List<bool>();
        for (int i = 0; i < 12; i++)
        {
            if (i == 5)
            {
                encoder.RequestKeyframe(); // what a PLI or FIR does (RFC 4585 6.3.1, RFC 5104 4.3.1)
                Assert.True(encoder.KeyframePending);
            }

            TestPictures.Textured(picture, TestPictures.Colours[i % 3], i);
            encoder.Encode(picture.View, (i + 1) * FrameTicks, FrameTicks, frame, out bool keyframe);
            keyframes.Add(keyframe);
            Assert.True(Vp8FrameHeader.TryParse(frame, out Vp8FrameHeader header));
            Assert.Equal(keyframe, header.IsKeyframe);
        }

        Assert.Equal([0, 5], keyframes.Select((k, i) => (k, i)).Where(x => x.k).Select(x => x.i));
        Assert.Equal(2, encoder.KeyframesEncoded);
    }

    [Fact]
    public void The_target_bitrate_can_change_mid_stream()
    {
        using var encoder = new Vp8Encoder(new Vp8EncoderSettings { Width = 320, Height = 180, TargetBitrateKbps = 800 });
        var picture = new I420Buffer(320, 180);
        var frame = new byte[encoder.MaxFrameBytes];
        long high = 0, low = 0;
        for (int i = 0; i < 120; i++)
        {
            if (i == 60)
            {
                encoder.TargetBitrateKbps = 100; // what a REMB from the receiver does
            }

            TestPictures.Textured(picture, TestPictures.Colours[0], i);
            int bytes = encoder.Encode(picture.View, (i + 1) * FrameTicks, FrameTicks, frame, out _);
            if (i is >= 30 and < 60) high += bytes;
            if (i >= 90) low += bytes;
        }

        Assert.Equal(100, encoder.TargetBitrateKbps);
        Assert.True(low * 3 < high, $"after lowering the rate 30 frames took {low} bytes, before {high}");
    }

    [Fact]
    public void Inter_frames_before_the_first_keyframe_are_dropped_so_a_sender_that_never_sends_one_shows_nothing()
    {
        using var encoder = new Vp8Encoder(new Vp8EncoderSettings { Width = 160, Height = 96, TargetBitrateKbps = 200 });
        using var decoder = new Vp8Decoder();
        var picture = TestPictures.Solid(160, 96, TestPictures.Colours[1]);
        var frame = new byte[encoder.MaxFrameBytes];
        encoder.Encode(picture.View, FrameTicks, FrameTicks, frame, out bool first);
        Assert.True(first); // the key frame is "lost": never given to the decoder
        for (int i = 2; i < 10; i++)
        {
            int bytes = encoder.Encode(picture.View, i * FrameTicks, FrameTicks, frame, out bool keyframe);
            Assert.False(keyframe);
            Assert.Equal(Vp8DecodeResult.AwaitingKeyframe, decoder.Decode(frame.AsSpan(0, bytes)));
            Assert.True(decoder.NeedsKeyframe);
        }

        Assert.False(decoder.TryGetPicture(out _));
        Assert.Equal(8, decoder.FramesDropped);
    }

    [Fact]
    public void An_absurd_keyframe_size_is_refused_before_libvpx_allocates_for_it()
    {
        using var decoder = new Vp8Decoder();
        // Frame tag of a key frame, start code, then 16383×16383 (the 14-bit maximum).
        byte[] frame = [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0xFF, 0x3F, 0xFF, 0x3F, 0, 0, 0, 0, 0, 0];
        Assert.True(Vp8FrameHeader.TryParse(frame, out Vp8FrameHeader header));
        Assert.Equal((true, 16383, 16383), (header.IsKeyframe, header.Width, header.Height));
        Assert.Equal(Vp8DecodeResult.TooLarge, decoder.Decode(frame));

        // 1920×1088 is 8160 macroblocks, the Full HD limit; 1936×1088 is over it.
        using var small = new Vp8Decoder(maxMacroblocks: 100);
        using var encoder = new Vp8Encoder(new Vp8EncoderSettings { Width = 320, Height = 240, TargetBitrateKbps = 200 });
        var encoded = new byte[encoder.MaxFrameBytes];
        int bytes = encoder.Encode(TestPictures.Solid(320, 240, TestPictures.Colours[0]).View, FrameTicks, FrameTicks, encoded, out _);
        Assert.Equal(Vp8DecodeResult.TooLarge, small.Decode(encoded.AsSpan(0, bytes))); // 300 macroblocks > 100
    }

    [Fact]
    public void Random_and_truncated_frames_never_throw_and_a_keyframe_recovers_the_picture()
    {
        var random = new Random(20_14);
        Console.WriteLine("Vp8CodecTests fuzz seed 2014");
        using var encoder = new Vp8Encoder(new Vp8EncoderSettings { Width = 320, Height = 180, TargetBitrateKbps = 400 });
        using var decoder = new Vp8Decoder();
        var picture = new I420Buffer(320, 180);
        var frame = new byte[encoder.MaxFrameBytes];
        var results = new Dictionary<Vp8DecodeResult, int>();
        for (int i = 0; i < 300; i++)
        {
            TestPictures.Textured(picture, TestPictures.Colours[3], i);
            if (i % 25 == 0)
            {
                encoder.RequestKeyframe();
            }

            int bytes = encoder.Encode(picture.View, (i + 1) * FrameTicks, FrameTicks, frame, out _);
            Span<byte> damaged = frame.AsSpan(0, bytes);
            switch (i % 4)
            {
                case 1:
                    damaged = damaged[..random.Next(0, bytes)]; // truncated
                    break;
                case 2:
                    for (int flips = 0; flips < 8; flips++) damaged[random.Next(bytes)] ^= (byte)(1 << random.Next(8)); // bit errors
                    break;
                case 3:
                    random.NextBytes(damaged); // garbage
                    break;
            }

            Vp8DecodeResult result = decoder.Decode(damaged);
            results[result] = results.GetValueOrDefault(result) + 1;
        }

        Assert.True(results.GetValueOrDefault(Vp8DecodeResult.Decoded) > 0);
        Assert.True(results.Keys.Count(k => k != Vp8DecodeResult.Decoded) >= 2, string.Join(", ", results));

        // Whatever state the damage left, an intact key frame brings the right picture back.
        TestPictures.Textured(picture, TestPictures.Colours[3], 0);
        encoder.RequestKeyframe();
        int good = encoder.Encode(picture.View, 400 * FrameTicks, FrameTicks, frame, out bool key);
        Assert.True(key);
        Assert.Equal(Vp8DecodeResult.Decoded, decoder.Decode(frame.AsSpan(0, good)));
        Assert.False(decoder.NeedsKeyframe);
        Assert.True(decoder.TryGetPicture(out I420View decoded));
        Assert.True(decoded.MeanOf(new PixelRect(0, 0, 320, 180)).DistanceTo(TestPictures.Colours[3]) <= 6);
    }

    [Fact]
    public void Settings_out_of_range_are_refused_with_the_parameter_named()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Vp8Encoder(new Vp8EncoderSettings { Width = 321, Height = 180, TargetBitrateKbps = 300 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Vp8Encoder(new Vp8EncoderSettings { Width = 320, Height = 180, TargetBitrateKbps = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Vp8Encoder(new Vp8EncoderSettings { Width = 0, Height = 180, TargetBitrateKbps = 300 }));
        using var encoder = new Vp8Encoder(new Vp8EncoderSettings { Width = 320, Height = 180, TargetBitrateKbps = 300 });
        var frame = new byte[encoder.MaxFrameBytes];
        Assert.Throws<ArgumentException>(() => encoder.Encode(new I420Buffer(160, 90).View, FrameTicks, FrameTicks, frame, out _));
    }
}
