using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Codecs.G711;
using ConferenceCluster.Media.Jitter;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Benchmarks;

/// <summary>
/// Mouth-to-ear latency added by backplane hops, through real sockets in one process. Three
/// <see cref="MediaEngine"/>s stand for three nodes in a chain, node1 —backplane— node2 —backplane— node3. A source
/// phone on node1 sends 200 ms tone bursts every 600 ms (PCMU, continuous RTP: silence between bursts, so no
/// jitter buffer ever restarts); a listening phone on each node records arrival times. The latency of a burst is
/// the onset's arrival (adjusted to its sample inside the packet) minus the onset's capture time at the source, so
/// the three listeners give, in the same run and under the same load: the single-node case, one hop and two hops.
/// Two chains: local (L16) then geo (Opus), and geo then local, the two ways a voice crosses two backplanes.
/// </summary>
/// <remarks>
/// Usage: <c>--backplane-latency [bursts] [backplaneMinDelayFrames]</c>: default 25 bursts (15 s) per chain, the first 3
/// warm-up; with a minimum, the backplane legs' jitter buffer (<see cref="MediaOptions.BackplaneJitterBuffer"/>) starts and
/// stays at least that many frames deep instead of the endpoints' default.
/// </remarks>
internal static class BackplaneLatencyProbe
{
    private const int PeriodFrames = 30;
    private const int ToneFrames = 10;
    private const int WarmupBursts = 3;
    private const int SamplesPerPacket = 160;
    private const double OnsetThreshold = 2000;

    public static void Run(string[] args)
    {
        int bursts = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 25;
        JitterBufferOptions? backplaneJitterBuffer = args.Length > 2
            ? new JitterBufferOptions { MinDelayFrames = int.Parse(args[2], CultureInfo.InvariantCulture), InitialDelayFrames = int.Parse(args[2], CultureInfo.InvariantCulture) }
            : null;
        string jitter = backplaneJitterBuffer is null ? "backplane jitter buffers as endpoints'" : $"backplane jitter buffers min {backplaneJitterBuffer.MinDelayFrames} frame(s)";
        Console.WriteLine($"Backplane latency probe: 3 nodes (1 media worker each), loopback, {bursts} bursts per chain ({WarmupBursts} warm-up), {jitter}; {Environment.ProcessorCount} cores; load average at start {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("| Chain | Listener | hops | median ms | min ms | max ms | added vs single node (median of per-burst differences) ms |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        RunChain("local (L16) then geo (Opus)", MixRole.LocalBackplane, MixRole.GeoBackplane, bursts, backplaneJitterBuffer).GetAwaiter().GetResult();
        RunChain("geo (Opus) then local (L16)", MixRole.GeoBackplane, MixRole.LocalBackplane, bursts, backplaneJitterBuffer).GetAwaiter().GetResult();
    }

    private static async Task RunChain(string name, MixRole firstHop, MixRole secondHop, int bursts, JitterBufferOptions? backplaneJitterBuffer)
    {
        var engines = new MediaEngine[3];
        var listeners = new ListeningPhone[3];
        try
        {
            var conferences = new ConferenceMedia[3];
            for (int node = 0; node < 3; node++)
            {
                engines[node] = new MediaEngine(new MediaOptions
                {
                    WorkerCount = 1,
                    BindAddress = IPAddress.Loopback,
                    PortRange = new PortRange(45000 + node * 100, 45099 + node * 100),
                    BackplaneJitterBuffer = backplaneJitterBuffer,
                });
                conferences[node] = await engines[node].CreateConferenceAsync("latency");
            }

            await ConnectAsync(conferences[0], conferences[1], firstHop);
            await ConnectAsync(conferences[1], conferences[2], secondHop);

            using var source = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            source.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            MediaParticipant sourceLeg = await conferences[0].AddParticipantAsync(new MediaEndpointOptions { Codec = AudioCodec.Pcmu, PayloadType = 0, RemoteRtp = (IPEndPoint)source.LocalEndPoint! });
            for (int node = 0; node < 3; node++)
            {
                listeners[node] = new ListeningPhone();
                await conferences[node].AddParticipantAsync(new MediaEndpointOptions { Codec = AudioCodec.Pcmu, PayloadType = 0, RemoteRtp = listeners[node].LocalEndPoint });
                listeners[node].Start();
            }

            long[] onsetCaptured = SendBursts(source, new IPEndPoint(IPAddress.Loopback, sourceLeg.LocalRtpPort), bursts);
            Thread.Sleep(500);
            var latencies = new double[3][];
            for (int node = 0; node < 3; node++)
            {
                listeners[node].Stop();
                latencies[node] = listeners[node].BurstLatenciesMs(onsetCaptured);
            }

            string[] labels = ["node1 (same node as the source)", $"node2 (1 hop: {Describe(firstHop)})", $"node3 (2 hops: {Describe(firstHop)} + {Describe(secondHop)})"];
            for (int node = 0; node < 3; node++)
            {
                double[] valid = latencies[node][WarmupBursts..].Where(double.IsFinite).ToArray();
                double[] added = Enumerable.Range(WarmupBursts, bursts - WarmupBursts)
                    .Select(b => latencies[node][b] - latencies[0][b]).Where(double.IsFinite).ToArray();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {labels[node]} | {node} | {Median(valid):F1} | {valid.DefaultIfEmpty(double.NaN).Min():F1} | {valid.DefaultIfEmpty(double.NaN).Max():F1} | {(node == 0 ? "—" : Median(added).ToString("F1", CultureInfo.InvariantCulture))} |"));
            }

            int missed = latencies.Sum(l => l[WarmupBursts..].Count(double.IsNaN));
            if (missed > 0)
            {
                Console.WriteLine($"  {missed} bursts had no detectable onset at some listener (excluded).");
            }
        }
        finally
        {
            foreach (ListeningPhone? listener in listeners)
            {
                listener?.Dispose();
            }

            foreach (MediaEngine? engine in engines)
            {
                if (engine is not null)
                {
                    await engine.DisposeAsync();
                }
            }
        }
    }

    private static string Describe(MixRole role) => $"{role} {BackplaneCodecs.CodecFor(role)}";

    /// <summary>Opens both ends of a backplane, the first before the second is known, as the wiring does it.</summary>
    private static async Task ConnectAsync(ConferenceMedia a, ConferenceMedia b, MixRole role)
    {
        MediaParticipant first = await a.AddParticipantAsync(BackplaneCodecs.For(role));
        MediaParticipant second = await b.AddParticipantAsync(BackplaneCodecs.For(role, new IPEndPoint(IPAddress.Loopback, first.LocalRtpPort)));
        await first.SetRemoteAsync(new IPEndPoint(IPAddress.Loopback, second.LocalRtpPort));
    }

    /// <summary>Sends the bursts on an absolute 20 ms schedule from this thread.</summary>
    /// <returns>Per burst, the Stopwatch time its first tone sample was "captured" (20 ms before its packet left).</returns>
    private static long[] SendBursts(Socket source, IPEndPoint server, int bursts)
    {
        var tone = new byte[ToneFrames][];
        for (int frame = 0; frame < ToneFrames; frame++)
        {
            var pcm = new short[SamplesPerPacket];
            for (int s = 0; s < pcm.Length; s++)
            {
                pcm[s] = (short)Math.Round(8000 * Math.Sin(2 * Math.PI * 1000 * (frame * SamplesPerPacket + s) / 8000.0));
            }

            tone[frame] = new byte[SamplesPerPacket];
            G711MuLaw.Encode(pcm, tone[frame]);
        }

        var silence = new byte[SamplesPerPacket];
        G711MuLaw.Encode(new short[SamplesPerPacket], silence);
        var send = new RtpSendState(8000, SamplesPerPacket);
        var packet = new byte[RtpHeader.FixedLength + SamplesPerPacket];
        var onsets = new long[bursts];
        long frameTicks = Stopwatch.Frequency / 50;
        long start = Stopwatch.GetTimestamp();
        for (int frame = 0; frame < bursts * PeriodFrames; frame++)
        {
            int inPeriod = frame % PeriodFrames;
            byte[] payload = inPeriod < ToneFrames ? tone[inPeriod] : silence;
            int header = send.WriteNextHeader(packet, 0, payload.Length);
            payload.CopyTo(packet, header);
            if (inPeriod == 0)
            {
                onsets[frame / PeriodFrames] = Stopwatch.GetTimestamp() - frameTicks;
            }

            source.SendTo(packet, server);
            long due = start + (frame + 1) * frameTicks;
            while (Stopwatch.GetTimestamp() < due)
            {
                Thread.Sleep(TimeSpan.FromTicks(Math.Max(1, (due - Stopwatch.GetTimestamp()) * TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
            }
        }

        return onsets;
    }

    private static double Median(double[] values)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        double[] sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>A PCMU phone that only listens, stamping each packet's arrival on its own thread.</summary>
    private sealed class ListeningPhone : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly List<(long Arrival, byte[] Payload)> _packets = [];
        private readonly Thread _thread;
        private volatile bool _stopping;

        public ListeningPhone()
        {
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _socket.ReceiveTimeout = 100;
            _thread = new Thread(Receive) { IsBackground = true, Name = "latency-listener", Priority = ThreadPriority.Highest };
        }

        public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

        public void Start() => _thread.Start();

        public void Stop()
        {
            _stopping = true;
            _thread.Join();
        }

        /// <summary>
        /// Per burst: ms from the onset's capture to its arrival here, NaN if no onset was found within 500 ms. An
        /// onset is a rising edge: the first loud sample after a packet with none, so a late tail of the previous
        /// burst is never taken for this one's start.
        /// </summary>
        public double[] BurstLatenciesMs(long[] onsetCaptured)
        {
            var result = new double[onsetCaptured.Length];
            var pcm = new short[SamplesPerPacket];
            long window = Stopwatch.Frequency / 2;
            for (int burst = 0; burst < onsetCaptured.Length; burst++)
            {
                result[burst] = double.NaN;
                bool previousLoud = true;
                foreach ((long arrival, byte[] payload) in _packets)
                {
                    if (arrival > onsetCaptured[burst] + window)
                    {
                        break;
                    }

                    if (payload.Length != SamplesPerPacket)
                    {
                        continue;
                    }

                    G711MuLaw.Decode(payload, pcm);
                    int onset = Array.FindIndex(pcm, sample => Math.Abs((int)sample) > OnsetThreshold);
                    if (onset >= 0 && !previousLoud && arrival >= onsetCaptured[burst])
                    {
                        // The packet's last sample is "now" at arrival; the onset sample is (160 − onset) samples earlier.
                        double arrivalOfOnset = arrival - (SamplesPerPacket - onset) * (double)Stopwatch.Frequency / 8000;
                        result[burst] = (arrivalOfOnset - onsetCaptured[burst]) * 1000.0 / Stopwatch.Frequency;
                        break;
                    }

                    previousLoud = onset >= 0;
                }
            }

            return result;
        }

        public void Dispose()
        {
            _stopping = true;
            _socket.Dispose();
        }

        private void Receive()
        {
            var buffer = new byte[2048];
            // Bounded: stops when asked, or after 10 minutes whatever happens.
            long deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 600;
            while (!_stopping && Stopwatch.GetTimestamp() < deadline)
            {
                int length;
                try
                {
                    length = _socket.Receive(buffer);
                }
                catch (SocketException exception) when (exception.SocketErrorCode == SocketError.TimedOut)
                {
                    continue;
                }

                long arrival = Stopwatch.GetTimestamp();
                if (RtpHeader.TryParse(buffer.AsSpan(0, length), out RtpHeader header))
                {
                    _packets.Add((arrival, header.PayloadOf(buffer.AsSpan(0, length)).ToArray()));
                }
            }
        }
    }
}
