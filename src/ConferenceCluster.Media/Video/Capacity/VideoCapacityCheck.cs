using System.Diagnostics;
using ConferenceCluster.Media.Video.Codecs.Vp8;
using ConferenceCluster.Media.Video.Composition;

namespace ConferenceCluster.Media.Video.Capacity;

/// <summary>Tunables of the video capacity check.</summary>
public sealed class VideoCapacityCheckOptions
{
    /// <summary>How long each of the two measurements runs (decode, then compose + encode); CPU on one thread, once at start.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>Cores the video workers may use (the check measures one and scales).</summary>
    public int Cores { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Composite encodes per participant per frame (default 0.2: a 10-person 1+7 conference encodes two distinct pictures,
    /// everyone's and the current speaker's; docs/benchmarks.md). 1 would charge every participant a full encode.
    /// </summary>
    public double EncodesPerParticipant { get; init; } = 0.2;

    /// <summary>Frames per second a participant sends and receives (default 30).</summary>
    public int FrameRate { get; init; } = 30;

    /// <summary>Share of the measured throughput the node promises (as the audio check: the rest is RTP, scaling, signalling).</summary>
    public double Headroom { get; init; } = 0.6;
}

/// <summary>
/// What the video capacity check found: one HD (720p) participant's share of a core, and so how many HD calls this node
/// can carry (seed R-QoS-2: HD is the unit every other weight is relative to).
/// </summary>
/// <param name="DecodeMicroseconds">One 720p VP8 frame decoded.</param>
/// <param name="ComposeAndEncodeMicroseconds">One 720p composite scaled together and encoded.</param>
/// <param name="ShareMicroseconds">Per participant and frame: its decode plus its share of the composites' encodes.</param>
/// <param name="HdCallsPerCore">1 s ÷ (share × frame rate): participants one core sustains in real time.</param>
/// <param name="HdCalls">Over all cores, with the headroom taken off.</param>
public sealed record VideoCapacityEstimate(double DecodeMicroseconds, double ComposeAndEncodeMicroseconds, double ShareMicroseconds, double HdCallsPerCore, long HdCalls, int Cores);

/// <summary>
/// The "720p decode + encode share" of the startup capacity check (seed R60: "each Conferencing Node runs an internal
/// capacity check"): times, on this machine and with the encoder settings the pipeline uses, the decode of a 720p camera
/// and the composition and encode of a 720p picture, and turns them into HD calls per core and per node. The node's
/// HD capacity is then measured, not guessed.
/// </summary>
public static class VideoCapacityCheck
{
    public static VideoCapacityEstimate Run(VideoCapacityCheckOptions? options = null)
    {
        options ??= new VideoCapacityCheckOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Cores);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.FrameRate);
        VideoResolution hd = VideoResolution.Hd;
        const int FrameTicks = 3000;

        // A camera: one second of textured, moving 720p, encoded once as a participant would send it.
        var camera = new I420Buffer(hd.Width, hd.Height);
        var frames = new List<byte[]>();
        using (var sender = new Vp8Encoder(new Vp8EncoderSettings { Width = hd.Width, Height = hd.Height, TargetBitrateKbps = hd.TargetKbps }))
        {
            var buffer = new byte[sender.MaxFrameBytes];
            for (int i = 0; i < options.FrameRate; i++)
            {
                CameraPicture(camera, i);
                int length = sender.Encode(camera.View, (i + 1) * FrameTicks, FrameTicks, buffer, out _);
                frames.Add(buffer[..length]);
            }
        }

        // Decode: the stream in a loop (it starts with a key frame, so every pass decodes cleanly).
        using var decoder = new Vp8Decoder();
        double decodeMicroseconds = Measure(options.Duration, frames.Count, i => decoder.Decode(frames[i]));

        // Decode, compose a 1+7-like picture (the main speaker and seven thumbnails scaled from the camera) and encode
        // it; the decode measured above is taken off again.
        var scaler = new I420Scaler();
        var canvas = new I420Buffer(hd.Width, hd.Height);
        using var encoder = new Vp8Encoder(new Vp8EncoderSettings { Width = hd.Width, Height = hd.Height, TargetBitrateKbps = hd.TargetKbps });
        var output = new byte[encoder.MaxFrameBytes];
        int thumbnail = hd.Width / 7 & ~1;
        long pts = 0;
        double composeMicroseconds = Measure(options.Duration, frames.Count, i =>
        {
            decoder.Decode(frames[i]);
            if (decoder.TryGetPicture(out I420View picture))
            {
                var whole = new PixelRect(0, 0, picture.Width & ~1, picture.Height & ~1);
                scaler.Scale(picture, whole, canvas, new PixelRect(90, 0, 1096, 616));
                for (int t = 0; t < 7; t++)
                {
                    scaler.Scale(picture, whole, canvas, new PixelRect(t * thumbnail, 616, thumbnail, 102));
                }
            }

            pts += FrameTicks;
            encoder.Encode(canvas.View, pts, FrameTicks, output, out _);
        }) - decodeMicroseconds;

        double share = decodeMicroseconds + Math.Max(0, composeMicroseconds) * options.EncodesPerParticipant;
        double perCore = 1_000_000.0 / (share * options.FrameRate);
        long calls = (long)Math.Floor(perCore * options.Cores * options.Headroom);
        return new VideoCapacityEstimate(decodeMicroseconds, Math.Max(0, composeMicroseconds), share, perCore, Math.Max(1, calls), options.Cores);
    }

    /// <summary>A camera-like picture: colour, detail and motion (a flat picture would flatter the encoder).</summary>
    internal static void CameraPicture(I420Buffer picture, int frame)
    {
        picture.Fill(YuvColor.FromRgb(90, 120, 160));
        Span<byte> y = picture.Y;
        for (int row = 0; row < picture.Height; row++)
        {
            Span<byte> line = y.Slice(row * picture.StrideY, picture.Width);
            for (int column = 0; column < line.Length; column++)
            {
                int texture = ((column + frame * 4) / 16 + (row + frame * 2) / 16) % 2 == 0 ? 30 : -30;
                line[column] = (byte)Math.Clamp(110 + texture + (column * 13 + row * 7 + frame * 3) % 17 - 8, 16, 235);
            }
        }
    }

    /// <summary>Microseconds per call of <paramref name="step"/> over frame indexes 0, 1, … (cycling), after one warm-up pass.</summary>
    private static double Measure(TimeSpan duration, int frames, Action<int> step)
    {
        for (int i = 0; i < frames; i++)
        {
            step(i);
        }

        var clock = Stopwatch.StartNew();
        long calls = 0;
        while (clock.Elapsed < duration || calls < frames)
        {
            step((int)(calls++ % frames));
        }

        return clock.Elapsed.TotalMicroseconds / calls;
    }
}
