using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Benchmarks;

/// <summary>
/// End-to-end media cost with real RTP over loopback: one <see cref="MediaWorker"/> hosts one conference of N
/// plain-RTP Opus participants; a load generator thread in the same process plays the Janus anchor's media
/// (<see cref="MediaWorkload"/>) from N UDP sockets every 20 ms and receives each participant's mix back.
/// The worker's own thread CPU time (CLOCK_THREAD_CPUTIME_ID) is the cost; the generator's is reported
/// separately. The codec floor (one opus_decode + one opus_encode per participant) is measured in the same run on
/// the same thread kind, so the ratio is like for like.
/// </summary>
/// <remarks>Usage: <c>--rtp-load [measureSeconds] [N ...]</c>, default 10 s at N = 10 50 100.</remarks>
internal static class RtpLoadProbe
{
    private const int WarmupSeconds = 3;

    public static void Run(string[] args)
    {
        int seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        int[] sizes = args.Length > 2 ? args[2..].Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [10, 50, 100];
        Console.WriteLine($"RTP load probe: 1 media worker, loopback, {WarmupSeconds} s warm-up + {seconds} s measured per case; Opus {Codecs.Opus.OpusCodecs.Implementation}; {Environment.ProcessorCount} cores");
        Console.WriteLine("| Case | N | worker cores | cores/participant | participants/core | codec floor cores/participant | vs floor (participants/core ÷ floor's) | late ticks | skipped ticks | mixed pkts/s per participant (mean; worst) | mix check (p0) | generator cores |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        foreach (int n in sizes)
        {
            var workload = new MediaWorkload(n);
            double floor = MeasureCodecFloor(workload);
            RunCase("AllMixed (Janus-equivalent)", n, workload, seconds, floor, maxSpeakers: n).GetAwaiter().GetResult();
            RunCase("Top4 + shared encode", n, workload, seconds, floor, maxSpeakers: Math.Min(4, n)).GetAwaiter().GetResult();
        }
    }

    /// <summary>Cores per participant of libopus alone, on a dedicated thread, costed by that thread's CPU time.</summary>
    private static double MeasureCodecFloor(MediaWorkload workload)
    {
        double result = 0;
        var thread = new Thread(() =>
        {
            var benchmarks = new MediaTickBenchmarks { Participants = workload.Participants };
            benchmarks.Setup();
            for (int i = 0; i < 50; i++)
            {
                benchmarks.A_CodecFloor();
            }

            TimeSpan before = ThreadCpuClock.CurrentThread();
            int ticks = 0;
            while (ThreadCpuClock.CurrentThread() - before < TimeSpan.FromSeconds(1) || ticks < 100)
            {
                benchmarks.A_CodecFloor();
                ticks++;
            }

            TimeSpan cpu = ThreadCpuClock.CurrentThread() - before;
            result = cpu.TotalSeconds / (ticks * 0.020) / workload.Participants;
            benchmarks.Cleanup();
        });
        thread.Start();
        thread.Join();
        return result;
    }

    private static async Task RunCase(string name, int n, MediaWorkload workload, int seconds, double floorCoresPerParticipant, int maxSpeakers)
    {
        await using var engine = new MediaEngine(new MediaOptions
        {
            WorkerCount = 1,
            BindAddress = IPAddress.Loopback,
            PortRange = new PortRange(45000, 46999),
            SocketBufferBytes = 256 * 1024,
        });
        ConferenceMedia conference = await engine.CreateConferenceAsync("load", new ConferenceMixerOptions { MaxMixedSpeakers = maxSpeakers });
        using var generator = new LoadGenerator(workload);
        var participants = new MediaParticipant[n];
        for (int p = 0; p < n; p++)
        {
            participants[p] = await conference.AddParticipantAsync(new MediaEndpointOptions
            {
                Codec = AudioCodec.Opus,
                PayloadType = 111,
                RemoteRtp = generator.EndPointOf(p),
            });
            generator.SetServer(p, participants[p].LocalRtpPort);
        }

        generator.Start();
        Thread.Sleep(TimeSpan.FromSeconds(WarmupSeconds));
        MediaWorker worker = conference.Worker;
        MediaWorkerStatistics before = worker.GetStatistics();
        long[] receivedBefore = generator.SnapshotReceived();
        TimeSpan generatorCpuBefore = generator.ThreadCpu;
        long wallBefore = Stopwatch.GetTimestamp();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        double wall = Stopwatch.GetElapsedTime(wallBefore).TotalSeconds;
        MediaWorkerStatistics after = worker.GetStatistics();
        long[] receivedAfter = generator.SnapshotReceived();
        TimeSpan generatorCpu = generator.ThreadCpu - generatorCpuBefore;
        string mixCheck = maxSpeakers == n ? generator.CheckMixOfParticipant0() : "n/a (top-4)";
        generator.Stop();
        await conference.DisposeAsync();

        // Name the first starved participant (fewer than 48 of 50 pkt/s): enough to tell a saturated worker
        // (everyone short) from a broken leg (one at zero).
        int starved = Enumerable.Range(0, n).Count(p => (receivedAfter[p] - receivedBefore[p]) / wall < 48);
        if (starved > 0)
        {
            int p = Enumerable.Range(0, n).First(p => (receivedAfter[p] - receivedBefore[p]) / wall < 48);
            Console.WriteLine($"  {starved} of {n} participants got < 48 pkt/s; e.g. p{p}: generator {generator.EndPointOf(p)}, media port {participants[p].LocalRtpPort}, sends to {participants[p].RemoteRtpEndPoint}; {participants[p].GetStatistics()}");
        }

        double workerCores = (after.ThreadCpuTime - before.ThreadCpuTime).TotalSeconds / wall;
        double perParticipant = workerCores / n;
        double[] rates = receivedAfter.Zip(receivedBefore, (a, b) => (a - b) / wall).ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {n} | {workerCores:F3} | {perParticipant:F4} | {1 / perParticipant:N0} | {floorCoresPerParticipant:F4} | {floorCoresPerParticipant / perParticipant:F2}x | {after.LateTicks - before.LateTicks} | {after.SkippedTicks - before.SkippedTicks} | {rates.Average():F2}; {rates.Min():F2} | {mixCheck} | {generatorCpu.TotalSeconds / wall:F3} |"));
    }

    /// <summary>
    /// N UDP sockets on 127.0.0.1 standing in for remote phones: one thread sends every participant's next
    /// pre-encoded packet every 20 ms (absolute schedule) and drains what comes back.
    /// </summary>
    private sealed class LoadGenerator : IDisposable
    {
        private readonly MediaWorkload _workload;
        private readonly Socket[] _sockets;
        private readonly SocketAddress?[] _servers;
        private readonly long[] _received;
        /// <summary>5 s of what p0 received, like the anchor's check (a long window keeps the 7 Hz-spaced tones apart).</summary>
        private const int CheckFrames = 250;

        private readonly byte[][] _lastSecondOfP0 = new byte[CheckFrames][];
        private readonly int[] _lastSecondLengths = new int[CheckFrames];
        private readonly Thread _thread;
        private long _p0Count;
        private long _threadCpuTicks;
        private volatile bool _stopping;

        public LoadGenerator(MediaWorkload workload)
        {
            _workload = workload;
            int n = workload.Participants;
            _sockets = new Socket[n];
            _servers = new SocketAddress?[n];
            _received = new long[n];
            for (int p = 0; p < n; p++)
            {
                _sockets[p] = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 256 * 1024 };
                _sockets[p].Bind(new IPEndPoint(IPAddress.Loopback, 0));
                _sockets[p].Blocking = false;
            }

            for (int i = 0; i < _lastSecondOfP0.Length; i++)
            {
                _lastSecondOfP0[i] = new byte[AudioFormat.MaxEncodedFrameBytes];
            }

            _thread = new Thread(Run) { IsBackground = true, Name = "rtp-load-generator", Priority = ThreadPriority.Highest };
        }

        public TimeSpan ThreadCpu => TimeSpan.FromTicks(Volatile.Read(ref _threadCpuTicks));

        public IPEndPoint EndPointOf(int participant) => (IPEndPoint)_sockets[participant].LocalEndPoint!;

        public void SetServer(int participant, int port) => _servers[participant] = new IPEndPoint(IPAddress.Loopback, port).Serialize();

        public long[] SnapshotReceived() => _received.Select(r => Interlocked.Read(ref r)).ToArray();

        public void Start() => _thread.Start();

        public void Stop()
        {
            _stopping = true;
            _thread.Join();
        }

        /// <summary>The anchor's check over the last 5 s: p0's own tone absent (below −60 dBFS), p1's and p(N−1)'s within 3 dB of their send level.</summary>
        public string CheckMixOfParticipant0()
        {
            lock (_lastSecondOfP0)
            {
                using var decoder = new Codecs.Opus.OpusFrameDecoder();
                var pcm = new short[CheckFrames * AudioFormat.MixFrameSamples];
                long first = _p0Count; // oldest slot of the ring
                var frame = new short[5760];
                int written = 0;
                for (int i = 0; i < CheckFrames; i++)
                {
                    int slot = (int)((first + i) % CheckFrames);
                    int samples = decoder.Decode(_lastSecondOfP0[slot].AsSpan(0, _lastSecondLengths[slot]), frame);
                    frame.AsSpan(0, Math.Min(samples, pcm.Length - written)).CopyTo(pcm.AsSpan(written));
                    written += samples;
                }

                int n = _workload.Participants;
                double sent = 6000 / Math.Sqrt(n);
                double ownDbfs = 20 * Math.Log10(Amplitude(pcm, 200) / 32768);
                double second = 20 * Math.Log10(Amplitude(pcm, 200 + 7) / sent);
                double last = 20 * Math.Log10(Amplitude(pcm, 200 + 7 * (n - 1)) / sent);
                // The codec-noise floor next to the tones (193 Hz: no one sends it), to tell leakage from coding noise.
                double floorDbfs = 20 * Math.Log10(Amplitude(pcm, 193) / 32768);
                // The anchor's rule is own < −60 dBFS; our encode's noise floor sits near −52 dBFS at these frequencies,
                // so "absent" here means not above that floor (+3 dB). Both figures are printed.
                bool ok = ownDbfs < Math.Max(-60, floorDbfs + 3) && Math.Abs(second) < 3 && Math.Abs(last) < 3;
                return string.Create(CultureInfo.InvariantCulture, $"{(ok ? "ok" : "WRONG")} (own {ownDbfs:F0} dBFS, 193 Hz {floorDbfs:F0} dBFS, p1 {second:F1} dB, p{n - 1} {last:F1} dB)");
            }
        }

        public void Dispose()
        {
            foreach (Socket socket in _sockets)
            {
                socket.Dispose();
            }
        }

        private void Run()
        {
            int n = _workload.Participants;
            var packet = new byte[RtpHeader.FixedLength + AudioFormat.MaxEncodedFrameBytes];
            var receive = new byte[2048];
            var ssrcs = Enumerable.Range(0, n).Select(_ => (uint)Random.Shared.Next()).ToArray();
            long start = Stopwatch.GetTimestamp();
            long period = Stopwatch.Frequency / 50;
            for (long tick = 0; !_stopping; tick++)
            {
                for (int p = 0; p < n; p++)
                {
                    byte[] payload = _workload.Packets[p][tick % MediaWorkload.LoopFrames];
                    RtpHeader.WriteFixed(packet, tick == 0, 111, (ushort)tick, (uint)(tick * AudioFormat.MixFrameSamples), ssrcs[p]);
                    payload.CopyTo(packet.AsSpan(RtpHeader.FixedLength));
                    _sockets[p].SendTo(packet.AsSpan(0, RtpHeader.FixedLength + payload.Length), SocketFlags.None, _servers[p]!);
                }

                long due = start + (tick + 1) * period;
                do
                {
                    Drain(receive);
                    long remaining = due - Stopwatch.GetTimestamp();
                    if (remaining > 0)
                    {
                        Thread.Sleep(Math.Max(1, (int)(remaining * 1000 / Stopwatch.Frequency / 2)));
                    }
                }
                while (Stopwatch.GetTimestamp() < due);

                Volatile.Write(ref _threadCpuTicks, ThreadCpuClock.CurrentThread().Ticks);
            }
        }

        private void Drain(byte[] receive)
        {
            for (int p = 0; p < _sockets.Length; p++)
            {
                Socket socket = _sockets[p];
                while (socket.Available > 0)
                {
                    int length = socket.Receive(receive);
                    Interlocked.Increment(ref _received[p]);
                    if (p == 0 && RtpHeader.TryParse(receive.AsSpan(0, length), out RtpHeader header))
                    {
                        lock (_lastSecondOfP0)
                        {
                            int slot = (int)(_p0Count++ % CheckFrames);
                            header.PayloadOf(receive.AsSpan(0, length)).CopyTo(_lastSecondOfP0[slot]);
                            _lastSecondLengths[slot] = header.PayloadLength;
                        }
                    }
                }
            }
        }

        private static double Amplitude(ReadOnlySpan<short> samples, double frequency)
        {
            double coefficient = 2 * Math.Cos(2 * Math.PI * frequency / AudioFormat.MixSampleRate);
            double previous = 0, beforePrevious = 0;
            foreach (short sample in samples)
            {
                double current = sample + coefficient * previous - beforePrevious;
                beforePrevious = previous;
                previous = current;
            }

            double power = previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
            return 2 * Math.Sqrt(Math.Max(power, 0)) / samples.Length;
        }
    }
}
