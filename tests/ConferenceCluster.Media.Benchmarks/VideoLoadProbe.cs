using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.Video;
using ConferenceCluster.Media.Video.Capacity;
using ConferenceCluster.Media.Video.Codecs.Vp8;
using ConferenceCluster.Media.Video.Composition;
using ConferenceCluster.Media.Video.Mixing;
using ConferenceCluster.Media.Video.Rtp;
using ConferenceCluster.Media.Video.Workers;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Benchmarks;

/// <summary>
/// Video end to end over loopback: one <see cref="VideoWorker"/> hosts one conference of N 720p30 participants in Pexip's
/// 1+7 (the current speaker's picture and everyone else's: two 720p encodes a frame), fed by a generator thread that
/// replays each participant's pre-encoded camera (VP8, 1.5 Mbit/s, textured and moving) as RTP and counts the
/// composites that come back. The worker thread's CPU time is the cost. In the same run, on one thread, the reference:
/// a plain libvpx decode of the participant's frame and encode of a 720p picture per participant and frame (what a
/// transcoding MCU without shared encodes does). Also the startup check's 720p share (<see cref="VideoCapacityCheck"/>).
/// </summary>
/// <remarks>
/// Usage: <c>--video-load [measureSeconds] [N]</c> (default 10 s, N = 10); <c>--video-latency [samples]</c> (default 20).
/// </remarks>
internal static class VideoLoadProbe
{
    private const int FrameTicks = 3000;
    private const int Frames = 60; // two seconds of camera, replayed in a loop (it starts with a key frame)
    private const int WarmupSeconds = 3;
    private const double Seventh = 1.0 / 7;

    public static void Run(string[] args)
    {
        int seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        int n = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;
        Console.WriteLine($"Video load probe: N = {n} participants at 720p30 in 1+7, 1 video worker, loopback, {WarmupSeconds} s warm-up + {seconds} s measured; libvpx {Vp8Encoder.LibraryVersion}; {Environment.ProcessorCount} cores");
        Console.WriteLine("Encoding the cameras …");
        Console.Out.Flush();
        List<byte[]>[] cameras = Enumerable.Range(0, n).Select(Camera).ToArray();

        double plainMs = PlainDecodeEncodeMs(cameras);
        double plainPerCore = 1000.0 / (plainMs * 30);
        (double pipelineMs, int pipelineEncoders, long composites) = PipelineCpuMsPerFrame(cameras, frames: seconds * 30).GetAwaiter().GetResult();
        double pipelinePerCore = n * 1000.0 / (pipelineMs * 30);
        VideoCapacityEstimate check = VideoCapacityCheck.Run(new VideoCapacityCheckOptions { Duration = TimeSpan.FromSeconds(1), Cores = 1, Headroom = 1 });
        (double cores, double framesPerSecond, VideoWorkerStatistics statistics, int encoders) = RunConference(cameras, seconds).GetAwaiter().GetResult();

        Console.WriteLine("| Case | N | CPU ms per frame (all N) | cores at 30 fps | HD participants/core | vs plain decode+encode | encoders | composites out per frame |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| (a) plain libvpx: per participant one decode + one 720p encode | {n} | {n * plainMs:F2} | {n * plainMs * 30 / 1000:F2} | {plainPerCore:F1} | 1.00x | {n} | {n} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| (b) ConferenceCluster 1+7 end to end: RTP in, decode each once, compose, encode each distinct picture once, RTP out | {n} | {pipelineMs:F2} | {pipelineMs * 30 / 1000:F2} | {pipelinePerCore:F1} | {pipelinePerCore / plainPerCore:F2}x | {pipelineEncoders} | {composites / (double)(seconds * 30):F1} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Real-time run (worker thread, {seconds} s): worker {cores:F2} cores, composites received per participant per s {framesPerSecond:F1}, encoders {encoders}, late frames {statistics.LateFrames}, skipped frames {statistics.SkippedFrames}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Startup check (VideoCapacityCheck, 1 core, no headroom): decode {check.DecodeMicroseconds:F0} µs, compose+encode {check.ComposeAndEncodeMicroseconds:F0} µs, share {check.ShareMicroseconds:F0} µs per participant-frame → {check.HdCallsPerCore:F1} HD calls per core"));
    }

    /// <summary>
    /// Frame in → composite out: participant A flips its camera between two colours; a viewer decodes its composite and
    /// notes when A's main tile shows the new colour. Measured from the send of A's first packet of the new colour to
    /// the viewer's decode of the first composite showing it (so it includes the viewer's own receive and decode).
    /// </summary>
    public static void RunLatency(string[] args)
    {
        int samples = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        Console.WriteLine($"Video latency probe: 720p30, 3 participants, 1 video worker, loopback, {samples} colour flips; {Environment.ProcessorCount} cores");
        var latencies = MeasureLatency(samples).GetAwaiter().GetResult();
        latencies.Sort();
        Console.WriteLine("| samples | min ms | median ms | p90 ms | max ms |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {latencies.Count} | {latencies[0]:F1} | {latencies[latencies.Count / 2]:F1} | {latencies[(int)(latencies.Count * 0.9)]:F1} | {latencies[^1]:F1} |"));
    }

    /// <summary>Participant <paramref name="index"/>'s camera: two seconds of textured, moving 720p in its own colour.</summary>
    private static List<byte[]> Camera(int index)
    {
        VideoResolution hd = VideoResolution.Hd;
        var picture = new I420Buffer(hd.Width, hd.Height);
        using var encoder = new Vp8Encoder(new Vp8EncoderSettings { Width = hd.Width, Height = hd.Height, TargetBitrateKbps = hd.TargetKbps });
        var buffer = new byte[encoder.MaxFrameBytes];
        var frames = new List<byte[]>(Frames);
        for (int i = 0; i < Frames; i++)
        {
            VideoCapacityCheck.CameraPicture(picture, i + index * 7);
            int length = encoder.Encode(picture.View, (i + 1) * FrameTicks, FrameTicks, buffer, out _);
            frames.Add(buffer[..length]);
        }

        return frames;
    }

    /// <summary>CPU ms on this thread per participant-frame of a plain decode and a 720p encode (one decoder and encoder per participant).</summary>
    private static double PlainDecodeEncodeMs(List<byte[]>[] cameras)
    {
        VideoResolution hd = VideoResolution.Hd;
        var decoders = cameras.Select(_ => new Vp8Decoder()).ToArray();
        var encoders = cameras.Select(_ => new Vp8Encoder(new Vp8EncoderSettings { Width = hd.Width, Height = hd.Height, TargetBitrateKbps = hd.TargetKbps })).ToArray();
        var output = new byte[encoders[0].MaxFrameBytes];
        void Pass(int pass)
        {
            for (int frame = 0; frame < Frames; frame++)
            {
                for (int p = 0; p < cameras.Length; p++)
                {
                    decoders[p].Decode(cameras[p][frame]);
                    decoders[p].TryGetPicture(out I420View picture);
                    encoders[p].Encode(picture, ((long)pass * Frames + frame + 1) * FrameTicks, FrameTicks, output, out _);
                }
            }
        }

        Pass(0);
        TimeSpan before = ThreadCpuClock.CurrentThread();
        Pass(1);
        Pass(2);
        double ms = (ThreadCpuClock.CurrentThread() - before).TotalMilliseconds / (2.0 * Frames * cameras.Length);
        foreach (Vp8Decoder decoder in decoders) decoder.Dispose();
        foreach (Vp8Encoder encoder in encoders) encoder.Dispose();
        return ms;
    }

    /// <summary>
    /// The pipeline's CPU per frame, with nothing else competing: one never-started worker run frame by frame on this
    /// thread (<see cref="VideoWorker.RunManually"/>). Each frame every phone sends its camera frame over loopback, then
    /// the worker receives, decodes, composes, encodes and sends (that part timed in thread CPU), then the phones drain.
    /// </summary>
    private static async Task<(double CpuMsPerFrame, int Encoders, long Composites)> PipelineCpuMsPerFrame(List<byte[]>[] cameras, int frames)
    {
        int n = cameras.Length;
        await using var media = new MediaEngine(new MediaOptions { WorkerCount = 1, BindAddress = IPAddress.Loopback, PortRange = new PortRange(35000, 35999) });
        await using var video = new VideoEngine(media, new VideoOptions { WorkerCount = 1 }, startWorkers: false);
        VideoWorker worker = video.Workers[0];
        long baseMs = TimeProvider.System.GetTimestamp() * 1000 / TimeProvider.System.TimestampFrequency;
        T Pump<T>(Task<T> task)
        {
            while (!task.IsCompleted)
            {
                worker.RunManually(baseMs, frame: false);
            }

            return task.GetAwaiter().GetResult();
        }

        VideoConference conference = Pump(video.CreateConferenceAsync("cpu", new OnePlusSevenPolicy(Enumerable.Range(0, n).Select(Key).ToArray())));
        var phones = new Phone[n];
        for (int i = 0; i < n; i++)
        {
            phones[i] = new Phone(cameras[i]);
            VideoLeg leg = Pump(conference.AddLegAsync(new VideoLegOptions { ParticipantKey = Key(i), PayloadType = 96, RemoteRtp = phones[i].RtpEndPoint, RemoteRtcp = phones[i].RtcpEndPoint }));
            phones[i].Server = new IPEndPoint(IPAddress.Loopback, leg.LocalRtpPort);
        }

        const int Warmup = 60;
        TimeSpan cpu = TimeSpan.Zero;
        long composites = 0;
        for (int frame = 0; frame < Warmup + frames; frame++)
        {
            foreach (Phone phone in phones)
            {
                phone.SendNext(frame);
            }

            long framesBefore = conference.FramesComposed;
            TimeSpan before = ThreadCpuClock.CurrentThread();
            worker.RunManually(baseMs + frame * 1000L / 30, frame: true);
            if (frame >= Warmup)
            {
                cpu += ThreadCpuClock.CurrentThread() - before;
                composites += conference.FramesComposed - framesBefore;
            }

            foreach (Phone phone in phones)
            {
                phone.Drain();
            }
        }

        int encoders = Pump(conference.GetEncoderCountAsync());
        Pump(conference.DisposeAsync().AsTask().ContinueWith(_ => true)); // the worker never runs by itself: pump the close too
        foreach (Phone phone in phones) phone.Dispose();
        return (cpu.TotalMilliseconds / frames, encoders, composites);
    }

    private static async Task<(double Cores, double FramesPerSecond, VideoWorkerStatistics Statistics, int Encoders)> RunConference(List<byte[]>[] cameras, int seconds)
    {
        int n = cameras.Length;
        await using var media = new MediaEngine(new MediaOptions { WorkerCount = 1, BindAddress = IPAddress.Loopback, PortRange = new PortRange(36000, 36999) });
        await using var video = new VideoEngine(media, new VideoOptions { WorkerCount = 1 });
        var policy = new OnePlusSevenPolicy(Enumerable.Range(0, n).Select(Key).ToArray());
        VideoConference conference = await video.CreateConferenceAsync("bench", policy);
        var phones = new Phone[n];
        for (int i = 0; i < n; i++)
        {
            phones[i] = new Phone(cameras[i]);
            VideoLeg leg = await conference.AddLegAsync(new VideoLegOptions { ParticipantKey = Key(i), PayloadType = 96, RemoteRtp = phones[i].RtpEndPoint, RemoteRtcp = phones[i].RtcpEndPoint });
            phones[i].Server = new IPEndPoint(IPAddress.Loopback, leg.LocalRtpPort);
        }

        using var stop = new CancellationTokenSource();
        var generator = new Thread(() => Generate(phones, stop.Token)) { IsBackground = true, Name = "video-generator" };
        generator.Start();
        await Task.Delay(TimeSpan.FromSeconds(WarmupSeconds));
        VideoWorkerStatistics start = video.GetWorkerStatistics()[0];
        long framesAtStart = phones.Sum(p => Interlocked.Read(ref p.FramesReceived));
        var wall = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        VideoWorkerStatistics end = video.GetWorkerStatistics()[0];
        long frames = phones.Sum(p => Interlocked.Read(ref p.FramesReceived)) - framesAtStart;
        double elapsed = wall.Elapsed.TotalSeconds;
        int encoders = await conference.GetEncoderCountAsync();
        stop.Cancel();
        generator.Join();
        foreach (Phone phone in phones) phone.Dispose();
        double cores = (end.ThreadCpuTime - start.ThreadCpuTime).TotalSeconds / elapsed;
        var statistics = end with { LateFrames = end.LateFrames - start.LateFrames, SkippedFrames = end.SkippedFrames - start.SkippedFrames };
        return (cores, frames / elapsed / n, statistics, encoders);
    }

    /// <summary>Sends every participant's next frame each 33 ms and drains what comes back.</summary>
    private static void Generate(Phone[] phones, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        for (long frame = 0; !stop.IsCancellationRequested; frame++)
        {
            foreach (Phone phone in phones)
            {
                phone.SendNext(frame);
                phone.Drain();
            }

            long wait = (frame + 1) * 1000 / 30 - clock.ElapsedMilliseconds;
            if (wait > 0) Thread.Sleep((int)wait);
        }
    }

    private static async Task<List<double>> MeasureLatency(int samples)
    {
        VideoResolution hd = VideoResolution.Hd;
        await using var media = new MediaEngine(new MediaOptions { WorkerCount = 1, BindAddress = IPAddress.Loopback, PortRange = new PortRange(37000, 37099) });
        await using var video = new VideoEngine(media, new VideoOptions { WorkerCount = 1 });
        var policy = new OnePlusSevenPolicy(["a", "b", "c"]);
        VideoConference conference = await video.CreateConferenceAsync("latency", policy);
        YuvColor[] colours = [YuvColor.FromRgb(220, 40, 40), YuvColor.FromRgb(40, 60, 220)];
        using var a = new LiveCamera(hd);
        var b = new Phone(Camera(1));
        var viewer = new Phone(Camera(2)) { Decode = true };
        foreach ((string key, IPEndPoint rtp, IPEndPoint rtcp, Action<IPEndPoint> server) in new (string, IPEndPoint, IPEndPoint, Action<IPEndPoint>)[]
        {
            ("a", a.RtpEndPoint, a.RtcpEndPoint, s => a.Server = s),
            ("b", b.RtpEndPoint, b.RtcpEndPoint, s => b.Server = s),
            ("c", viewer.RtpEndPoint, viewer.RtcpEndPoint, s => viewer.Server = s),
        })
        {
            VideoLeg leg = await conference.AddLegAsync(new VideoLegOptions { ParticipantKey = key, PayloadType = 96, RemoteRtp = rtp, RemoteRtcp = rtcp });
            server(new IPEndPoint(IPAddress.Loopback, leg.LocalRtpPort));
        }

        var latencies = new List<double>();
        var clock = Stopwatch.StartNew();
        int colour = 0;
        a.Colour = colours[colour];
        long flippedAt = -1, nextFlip = 3000;
        // The viewer ("c") sees "a" as the main speaker: 1+7's main tile (a is first in the order and not the viewer).
        var main = new PixelRect((int)(Seventh / 2 * hd.Width), 0, (int)(6 * Seventh * hd.Width), (int)(6 * Seventh * hd.Height));
        for (long frame = 0; latencies.Count < samples && clock.Elapsed < TimeSpan.FromSeconds(30 + samples * 2); frame++)
        {
            if (clock.ElapsedMilliseconds >= nextFlip && flippedAt < 0)
            {
                colour ^= 1;
                a.Colour = colours[colour];
                flippedAt = -2; // stamped when the frame is sent
            }

            long sent = a.SendNext(frame);
            a.Drain();
            if (flippedAt == -2)
            {
                flippedAt = sent;
            }

            b.SendNext(frame);
            b.Drain();
            viewer.SendNext(frame);
            viewer.Drain();
            if (flippedAt >= 0 && viewer.Picture is { } picture && picture.View.MeanOf(main.Inner).DistanceTo(colours[colour]) < 30)
            {
                latencies.Add((viewer.PictureTicks - flippedAt) * 1000.0 / Stopwatch.Frequency);
                flippedAt = -1;
                nextFlip = clock.ElapsedMilliseconds + 700;
            }

            long wait = (frame + 1) * 1000 / 30 - clock.ElapsedMilliseconds;
            if (wait > 0) Thread.Sleep((int)wait);
        }

        b.Dispose();
        viewer.Dispose();
        return latencies;
    }

    private static string Key(int index) => "p" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>1+7 as ConferenceCluster.Conferencing's layouts make it with nobody speaking but p0: two pictures.</summary>
    private sealed class OnePlusSevenPolicy : IVideoLayoutPolicy
    {
        public OnePlusSevenPolicy(string[] keys)
        {
            Pictures = [Picture(keys, keys[1..]), Picture([keys[1], keys[0], .. keys[2..]], [keys[0]])];
            MainSources = new HashSet<string>(keys[..2]);
        }

        public IReadOnlyList<VideoPictureLayout> Pictures { get; }

        public IReadOnlyCollection<string> MainSources { get; }

        public long Update(TimeSpan now, string? loudest) => 1;

        private static VideoPictureLayout Picture(string[] order, string[] viewers)
        {
            var tiles = new List<VideoTile> { new(VideoTileKind.Participant, Seventh / 2, 0, 6 * Seventh, 6 * Seventh, order[0], IsMain: true) };
            string[] rest = order[1..];
            int shown = rest.Length > 7 ? 6 : rest.Length;
            for (int i = 0; i < shown; i++)
            {
                tiles.Add(new VideoTile(VideoTileKind.Participant, i * Seventh, 6 * Seventh, Seventh, Seventh, rest[i]));
            }

            if (rest.Length > 7)
            {
                tiles.Add(new VideoTile(VideoTileKind.Overflow, 6 * Seventh, 6 * Seventh, Seventh, Seventh, Count: rest.Length - 6));
            }

            return new VideoPictureLayout(tiles, viewers);
        }
    }

    /// <summary>A participant replaying its pre-encoded camera as RTP; counts (and optionally decodes) what it receives.</summary>
    private class Phone : IDisposable
    {
        private readonly Socket _rtp = Bind(), _rtcp = Bind();
        private readonly List<byte[]> _camera;
        private readonly VideoSendStream _stream = new(96);
        private readonly byte[] _buffer = new byte[2048];
        private readonly Vp8FrameAssembler _assembler = new();
        private readonly Vp8Decoder _decoder = new();
        public long FramesReceived;

        public Phone(List<byte[]> camera) => _camera = camera;

        public IPEndPoint RtpEndPoint => (IPEndPoint)_rtp.LocalEndPoint!;

        public IPEndPoint RtcpEndPoint => (IPEndPoint)_rtcp.LocalEndPoint!;

        public IPEndPoint? Server { get; set; }

        public bool Decode { get; init; }

        public I420Buffer? Picture { get; private set; }

        /// <summary>When the last decoded picture was decoded (Stopwatch ticks).</summary>
        public long PictureTicks { get; private set; }

        /// <summary>Sends the camera's next frame; returns when its first packet left.</summary>
        public virtual long SendNext(long frame)
        {
            byte[] encoded = _camera[(int)(frame % _camera.Count)];
            return SendFrame(encoded, frame);
        }

        protected long SendFrame(ReadOnlySpan<byte> encoded, long frame)
        {
            long first = 0;
            VideoSendStream.FramePacketizer packets = _stream.BeginFrame(encoded, (frame + 1) * FrameTicks);
            while (packets.TryNext(out ReadOnlySpan<byte> packet))
            {
                _rtp.SendTo(packet, SocketFlags.None, Server!);
                first = first == 0 ? Stopwatch.GetTimestamp() : first;
            }

            return first;
        }

        public void Drain()
        {
            while (_rtcp.Available > 0)
            {
                _rtcp.Receive(_buffer);
            }

            while (_rtp.Available > 0)
            {
                int length = _rtp.Receive(_buffer);
                if (!RtpHeader.TryParse(_buffer.AsSpan(0, length), out RtpHeader header))
                {
                    continue;
                }

                if (header.Marker)
                {
                    Interlocked.Increment(ref FramesReceived);
                }

                if (!Decode)
                {
                    continue;
                }

                _assembler.Insert(header.SequenceNumber, header.Timestamp, header.Marker, header.PayloadOf(_buffer.AsSpan(0, length)));
                while (_assembler.TryTakeFrame(out ReadOnlySpan<byte> frame, out _, out _, out _))
                {
                    if (_decoder.Decode(frame) == Vp8DecodeResult.Decoded && _decoder.TryGetPicture(out I420View picture))
                    {
                        Picture ??= new I420Buffer(picture.Width, picture.Height);
                        Picture.Blit(picture, 0, 0);
                        PictureTicks = Stopwatch.GetTimestamp();
                    }
                }
            }
        }

        public virtual void Dispose()
        {
            _rtp.Dispose();
            _rtcp.Dispose();
            _decoder.Dispose();
        }

        private static Socket Bind()
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 1 << 20 };
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            socket.Blocking = false;
            return socket;
        }
    }

    /// <summary>A participant whose camera is encoded live, so its colour can change on demand.</summary>
    private sealed class LiveCamera : Phone
    {
        private readonly I420Buffer _picture;
        private readonly Vp8Encoder _encoder;
        private readonly byte[] _frame;

        public LiveCamera(VideoResolution resolution) : base([])
        {
            _picture = new I420Buffer(resolution.Width, resolution.Height);
            _encoder = new Vp8Encoder(new Vp8EncoderSettings { Width = resolution.Width, Height = resolution.Height, TargetBitrateKbps = resolution.TargetKbps });
            _frame = new byte[_encoder.MaxFrameBytes];
        }

        public YuvColor Colour { get; set; } = YuvColor.FromRgb(40, 60, 220);

        public override long SendNext(long frame)
        {
            _picture.Fill(Colour);
            int length = _encoder.Encode(_picture.View, (frame + 1) * FrameTicks, FrameTicks, _frame, out _);
            return SendFrame(_frame.AsSpan(0, length), frame);
        }

        public override void Dispose()
        {
            base.Dispose();
            _encoder.Dispose();
        }
    }
}
