using System.Diagnostics;
using System.Globalization;
using System.IO.Hashing;
using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Codecs.Opus;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Benchmarks;

/// <summary>
/// One conference of N plain-RTP Opus callers on a node's media engine (one worker per core), talking like people:
/// three talkers (tones 400/700/1000 Hz, −18 dBFS), everyone else silent. Two ways to be silent:
/// <list type="bullet">
/// <item><b>levels</b>: every packet carries its RFC 6464 level; the silent send Opus DTX (one packet per 400 ms).</item>
/// <item><b>no levels</b>: no extension, and the silent send a coded −60 dBFS hiss every 20 ms (a phone without DTX), so
/// every stream is decoded every tick.</item>
/// </list>
/// Cost = the workers' own thread CPU (CLOCK_THREAD_CPUTIME_ID), the generator excluded (as the Janus anchor accounts
/// Janus's process only). Mix check of every listener: the three talkers and a sample of silent listeners are decoded
/// (talkers heard within 3 dB, own voice at the noise floor); every other silent listener must have received, byte for
/// byte, the shared full-mix payloads the checked sample received (the mixer sends one payload to all of them).
/// </summary>
/// <remarks>Usage: <c>--town-hall [measureSeconds] [N ...]</c>, default 10 s at N = 100 500 1000 2000.</remarks>
internal static class TownHallProbe
{
    private const int WarmupSeconds = 4;
    private const byte OpusPt = 111;
    private const byte LevelId = 1;
    private static readonly double[] Tones = [400, 700, 1000];

    public static void Run(string[] args)
    {
        int seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        int[] sizes = args.Length > 2 ? args[2..].Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [100, 500, 1000, 2000];
        Console.WriteLine($"Town hall probe: {Environment.ProcessorCount} media workers (one per core), loopback, {WarmupSeconds} s warm-up + {seconds} s measured; Opus {OpusCodecs.Implementation}");
        Console.WriteLine("| levels | N | worker cores | mixes/s | participants/core (at 50 mixes/s) | late ticks | skipped ticks | decodes/tick | pkt/s per listener (mean; worst) | listeners checked byte-for-byte | mix check | generator cores |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        var voice = Tones.Select(f => Encode(s => 4000 * Math.Sin(2 * Math.PI * f * s / 48000.0), 50)).ToArray();
        var random = new Random(1);
        byte[][] hiss = Encode(_ => random.Next(-45, 46), 50);
        foreach (int n in sizes)
        {
            foreach (bool levels in new[] { true, false })
            {
                RunCase(n, levels, seconds, voice, hiss).GetAwaiter().GetResult();
            }
        }
    }

    private static byte[][] Encode(Func<long, double> signal, int frames)
    {
        using var encoder = new OpusFrameEncoder(EncoderProfile.ForOpus(bitrateBps: 32_000, complexity: 10));
        var pcm = new short[960];
        var buffer = new byte[1500];
        var packets = new byte[frames][];
        for (int frame = 0; frame < 2 * frames; frame++)
        {
            for (int s = 0; s < pcm.Length; s++) pcm[s] = (short)Math.Round(signal((long)frame * 960 + s));
            int bytes = encoder.Encode(pcm, buffer);
            if (frame >= frames) packets[frame - frames] = buffer.AsSpan(0, bytes).ToArray();
        }

        return packets;
    }

    private static async Task RunCase(int n, bool levels, int seconds, byte[][][] voice, byte[][] hiss)
    {
        await using var engine = new MediaEngine(new MediaOptions
        {
            BindAddress = IPAddress.Loopback,
            PortRange = new PortRange(21000, 29999),
            SocketBufferBytes = 256 * 1024,
        });
        ConferenceMedia conference = await engine.CreateConferenceAsync("town-hall");
        var sockets = new Socket[n];
        var legs = new MediaParticipant[n];
        for (int i = 0; i < n; i++)
        {
            sockets[i] = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false, ReceiveBufferSize = 256 * 1024 };
            sockets[i].Bind(new IPEndPoint(IPAddress.Loopback, 0));
        }

        for (int first = 0; first < n; first += 250)
        {
            await Task.WhenAll(Enumerable.Range(first, Math.Min(250, n - first)).Select(async i => legs[i] = await conference.AddParticipantAsync(new MediaEndpointOptions
            {
                Codec = AudioCodec.Opus,
                PayloadType = OpusPt,
                RemoteRtp = (IPEndPoint)sockets[i].LocalEndPoint!,
                AudioLevelExtensionId = levels ? LevelId : null,
            })));
        }

        var generator = new Generator(sockets, legs.Select(l => (EndPoint)new IPEndPoint(IPAddress.Loopback, l.LocalRtpPort)).ToArray(), levels, voice, hiss);
        generator.Start();
        Thread.Sleep(TimeSpan.FromSeconds(WarmupSeconds));
        MediaWorkerStatistics[] before = engine.GetWorkerStatistics().ToArray();
        long pendingBefore = conference.PendingDecodes;
        long decodedBefore = legs.Sum(l => l.Inbound.DecodedFrames) ;
        long ticksBefore = conference.TickCount;
        generator.BeginMeasure();
        long wallStart = Stopwatch.GetTimestamp();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        double wall = Stopwatch.GetElapsedTime(wallStart).TotalSeconds;
        MediaWorkerStatistics[] after = engine.GetWorkerStatistics().ToArray();
        long ticks = conference.TickCount - ticksBefore;
        long decodes = legs.Sum(l => l.Inbound.DecodedFrames) - decodedBefore;
        (double[] rates, string mix, int byteChecked) = generator.EndMeasure(wall);
        double generatorCores = generator.CpuSeconds / wall;
        generator.Stop();
        await conference.DisposeAsync();
        foreach (Socket socket in sockets) socket.Dispose();

        double cores = after.Zip(before, (a, b) => (a.ThreadCpuTime - b.ThreadCpuTime).TotalSeconds).Sum() / wall;
        long late = after.Zip(before, (a, b) => a.LateTicks - b.LateTicks).Sum();
        long skipped = after.Zip(before, (a, b) => a.SkippedTicks - b.SkippedTicks).Sum();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {(levels ? "on (DTX)" : "off (no DTX)")} | {n} | {cores:F3} | {ticks / wall:F1} | {n / (cores * 50 / Math.Max(1e-9, ticks / wall)):N0} | {late} | {skipped} | {(double)decodes / Math.Max(1, ticks):F1} | {rates.Average():F2}; {rates.Min():F2} | {byteChecked} of {n - Tones.Length} silent | {mix} | {generatorCores:F3} |"));
    }

    /// <summary>One thread: sends every caller's packets on a 20 ms absolute schedule and drains every listener.</summary>
    private sealed class Generator
    {
        private readonly Socket[] _sockets;
        private readonly EndPoint[] _servers;
        private readonly bool _levels;
        private readonly byte[][][] _voice;
        private readonly byte[][] _hiss;
        private readonly Thread _thread;
        private readonly long[] _received;
        private readonly long[] _receivedAtStart;
        private readonly int[] _sampled;
        private readonly Dictionary<int, List<byte[]>> _heard = [];
        private readonly HashSet<ulong> _sharedPayloads = [];
        private readonly List<ulong>[] _payloadHashes;
        private volatile bool _measuring;
        private volatile bool _stopping;
        private TimeSpan _cpu;

        public Generator(Socket[] sockets, EndPoint[] servers, bool levels, byte[][][] voice, byte[][] hiss)
        {
            _sockets = sockets;
            _servers = servers;
            _levels = levels;
            _voice = voice;
            _hiss = hiss;
            _received = new long[sockets.Length];
            _receivedAtStart = new long[sockets.Length];
            _payloadHashes = Enumerable.Range(0, sockets.Length).Select(_ => new List<ulong>()).ToArray();
            int n = sockets.Length;
            _sampled = new[] { 0, 1, 2, 3, n / 3, n / 2, n - 1 }.Where(i => i < n).Distinct().ToArray();
            _thread = new Thread(Loop) { IsBackground = true, Name = "town-hall-generator", Priority = ThreadPriority.Highest };
        }

        public double CpuSeconds => _cpu.TotalSeconds;

        public void Start() => _thread.Start();

        public void BeginMeasure()
        {
            lock (_heard)
            {
                Array.Copy(_received, _receivedAtStart, _received.Length);
                _measuring = true;
            }
        }

        public (double[] Rates, string Mix, int ByteChecked) EndMeasure(double wall)
        {
            lock (_heard)
            {
                _measuring = false;
                double[] rates = _received.Zip(_receivedAtStart, (a, b) => (a - b) / wall).ToArray();
                var problems = new List<string>();
                foreach (int listener in _sampled)
                {
                    using var decoder = new OpusFrameDecoder();
                    var pcm = new List<short>();
                    var frame = new short[960];
                    foreach (byte[] payload in _heard[listener])
                    {
                        int samples = decoder.Decode(payload, frame);
                        pcm.AddRange(frame.AsSpan(0, samples).ToArray());
                    }

                    short[] all = pcm.ToArray();
                    for (int t = 0; t < Tones.Length; t++)
                    {
                        double db = 20 * Math.Log10(Math.Max(1e-9, Amplitude(all, Tones[t]) / 4000));
                        bool ok = t == listener ? db < -30 : Math.Abs(db) < 3;
                        if (!ok) problems.Add(string.Create(CultureInfo.InvariantCulture, $"p{listener} {Tones[t]} Hz {db:F1} dB"));
                    }
                }

                int byteChecked = 0;
                for (int i = Tones.Length; i < _sockets.Length; i++)
                {
                    List<ulong> hashes = _payloadHashes[i];
                    if (hashes.Count == 0 || i == _sampled.FirstOrDefault(s => s >= Tones.Length)) continue;
                    byteChecked++;
                    int matches = hashes.Count(_sharedPayloads.Contains);
                    // The window's edges may hold a packet or two the reference got just outside it.
                    if (matches < hashes.Count - 3) problems.Add($"p{i} got {hashes.Count - matches} of {hashes.Count} payloads not in the shared mix");
                }

                return (rates, problems.Count == 0 ? "ok" : "WRONG: " + string.Join("; ", problems.Take(4)), byteChecked);
            }
        }

        public void Stop()
        {
            _stopping = true;
            _thread.Join();
        }

        private void Loop()
        {
            var packet = new byte[1500];
            var buffer = new byte[2048];
            int n = _sockets.Length;
            long start = Stopwatch.GetTimestamp();
            long period = Stopwatch.Frequency / 50;
            TimeSpan cpuStart = ThreadCpuClock.CurrentThread();
            for (long tick = 0; !_stopping; tick++)
            {
                for (int i = 0; i < n; i++)
                {
                    bool talker = i < Tones.Length;
                    byte[] payload;
                    AudioLevel level;
                    if (talker)
                    {
                        payload = _voice[i][tick % 50];
                        level = new AudioLevel(21, true);
                    }
                    else if (_levels)
                    {
                        if ((tick + i) % 20 != 0) continue; // DTX: one packet per 400 ms
                        payload = [0x48];
                        level = new AudioLevel(127, false);
                    }
                    else
                    {
                        payload = _hiss[tick % 50];
                        level = default;
                    }

                    int length = RtpHeader.WriteFixed(packet, false, OpusPt, (ushort)tick, (uint)(tick * 960), (uint)(i + 1));
                    if (_levels)
                    {
                        packet[0] |= 0x10;
                        length += RtpHeaderExtensions.WriteOneByte(packet.AsSpan(length), LevelId, [level.ToByte()]);
                    }

                    payload.CopyTo(packet.AsSpan(length));
                    _sockets[i].SendTo(packet.AsSpan(0, length + payload.Length), SocketFlags.None, _servers[i]);
                }

                Drain(buffer);
                long due = start + (tick + 1) * period;
                long remaining = due - Stopwatch.GetTimestamp();
                if (remaining > 0) Thread.Sleep(TimeSpan.FromTicks(remaining * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
                _cpu = ThreadCpuClock.CurrentThread() - cpuStart;
            }
        }

        private void Drain(byte[] buffer)
        {
            lock (_heard)
            {
                int reference = Array.Find(_sampled, s => s >= Tones.Length);
                for (int i = 0; i < _sockets.Length; i++)
                {
                    Socket socket = _sockets[i];
                    while (socket.Available > 0)
                    {
                        int length = socket.Receive(buffer);
                        _received[i]++;
                        if (!_measuring || !RtpHeader.TryParse(buffer.AsSpan(0, length), out RtpHeader header)) continue;
                        ReadOnlySpan<byte> payload = header.PayloadOf(buffer.AsSpan(0, length));
                        if (Array.IndexOf(_sampled, i) >= 0)
                        {
                            if (!_heard.TryGetValue(i, out List<byte[]>? list)) _heard[i] = list = [];
                            list.Add(payload.ToArray());
                        }

                        if (i == reference)
                        {
                            _sharedPayloads.Add(XxHash3.HashToUInt64(payload));
                        }
                        else if (i >= Tones.Length)
                        {
                            _payloadHashes[i].Add(XxHash3.HashToUInt64(payload));
                        }
                    }
                }
            }
        }

        private static double Amplitude(short[] samples, double frequency)
        {
            double coefficient = 2 * Math.Cos(2 * Math.PI * frequency / 48000), previous = 0, beforePrevious = 0;
            foreach (short sample in samples)
            {
                double current = sample + coefficient * previous - beforePrevious;
                beforePrevious = previous;
                previous = current;
            }

            return 2 * Math.Sqrt(Math.Max(previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious, 0)) / samples.Length;
        }
    }
}
