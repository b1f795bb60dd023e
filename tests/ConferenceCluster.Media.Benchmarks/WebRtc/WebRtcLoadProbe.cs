using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Tests.WebRtc.Support;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.WebRtc.Dtls;
using ConferenceCluster.Media.WebRtc.Legs;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Benchmarks.WebRtc;

/// <summary>
/// Participants per core for WebRTC legs against plain RTP legs in the same run: one <see cref="MediaWorker"/>, one
/// conference of N Opus participants (Top-4 mixing, shared encode), the Janus anchor's media (<see cref="MediaWorkload"/>)
/// sent every 20 ms from N sockets on 127.0.0.1, once as plain RTP and once as SRTP from simulated browsers (STUN check,
/// BouncyCastle DTLS client). The worker thread's CPU time is the cost, so the generator's own work is not counted; the
/// ratio WebRTC ÷ RTP is what SRTP, demultiplexing and ICE consent cost the media path. The DTLS handshakes' CPU
/// (server and simulated client, both BouncyCastle, whole process) is reported per leg.
/// </summary>
/// <remarks>Usage: <c>--webrtc-load [measureSeconds] [N ...]</c>, default 10 s at N = 20 50.</remarks>
internal static class WebRtcLoadProbe
{
    private const int WarmupSeconds = 3;

    public static void Run(string[] args)
    {
        int seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        int[] sizes = args.Length > 2 ? args[2..].Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [20, 50];
        Console.WriteLine($"WebRTC load probe: 1 media worker, loopback, Top-4 + shared encode, {WarmupSeconds} s warm-up + {seconds} s measured per case; {Environment.ProcessorCount} cores");
        Console.WriteLine("| N | legs | worker cores | participants/core | WebRTC ÷ RTP (participants/core) | mixed pkts/s per participant (mean; worst) | late ticks | DTLS handshake CPU per leg (ms, both ends) |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (int n in sizes)
        {
            var workload = new MediaWorkload(n);
            Result rtp = RunCase(n, workload, seconds, webRtc: false).GetAwaiter().GetResult();
            Result webRtc = RunCase(n, workload, seconds, webRtc: true).GetAwaiter().GetResult();
            Print(n, "plain RTP", rtp, 1.0);
            Print(n, "WebRTC (SRTP)", webRtc, webRtc.ParticipantsPerCore / rtp.ParticipantsPerCore);
        }
    }

    private sealed record Result(double WorkerCores, double ParticipantsPerCore, double MeanRate, double WorstRate, long LateTicks, double HandshakeMs);

    private static void Print(int n, string legs, Result r, double ratio) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {n} | {legs} | {r.WorkerCores:F3} | {r.ParticipantsPerCore:N0} | {ratio:F2} | {r.MeanRate:F2}; {r.WorstRate:F2} | {r.LateTicks} | {(double.IsNaN(r.HandshakeMs) ? "–" : r.HandshakeMs.ToString("F1", CultureInfo.InvariantCulture))} |"));

    private static async Task<Result> RunCase(int n, MediaWorkload workload, int seconds, bool webRtc)
    {
        await using var engine = new MediaEngine(new MediaOptions
        {
            WorkerCount = 1,
            BindAddress = IPAddress.Loopback,
            PortRange = new PortRange(47000, 48999),
            SocketBufferBytes = 256 * 1024,
        });
        ConferenceMedia conference = await engine.CreateConferenceAsync("load", new ConferenceMixerOptions { MaxMixedSpeakers = Math.Min(4, n) });
        var factory = new WebRtcLegFactory(engine);
        DtlsCertificate browserCertificate = DtlsCertificate.Generate();
        var legs = new Leg[n];
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        for (int p = 0; p < n; p++)
        {
            legs[p] = webRtc ? await Leg.WebRtcAsync(factory, conference, browserCertificate) : await Leg.PlainAsync(conference);
        }

        double handshakeMs = webRtc ? (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / n : double.NaN;
        using var stop = new CancellationTokenSource();
        var generator = new Thread(() => Generate(legs, workload, stop.Token)) { IsBackground = true, Priority = ThreadPriority.Highest, Name = "webrtc-load-generator" };
        generator.Start();
        Thread.Sleep(TimeSpan.FromSeconds(WarmupSeconds));
        MediaWorkerStatistics before = conference.Worker.GetStatistics();
        long[] receivedBefore = legs.Select(l => Interlocked.Read(ref l.Received)).ToArray();
        long wallBefore = Stopwatch.GetTimestamp();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        double wall = Stopwatch.GetElapsedTime(wallBefore).TotalSeconds;
        MediaWorkerStatistics after = conference.Worker.GetStatistics();
        double[] rates = legs.Select((l, i) => (Interlocked.Read(ref l.Received) - receivedBefore[i]) / wall).ToArray();
        stop.Cancel();
        generator.Join();
        foreach (Leg leg in legs)
        {
            leg.Dispose();
        }

        await conference.DisposeAsync();
        double workerCores = (after.ThreadCpuTime - before.ThreadCpuTime).TotalSeconds / wall;
        return new Result(workerCores, n / workerCores, rates.Average(), rates.Min(), after.LateTicks - before.LateTicks, handshakeMs);
    }

    /// <summary>Every leg's next packet every 20 ms (absolute schedule), then what came back, counted.</summary>
    private static void Generate(Leg[] legs, MediaWorkload workload, CancellationToken stop)
    {
        var packet = new byte[RtpHeader.FixedLength + AudioFormat.MaxEncodedFrameBytes];
        long start = Stopwatch.GetTimestamp();
        long period = Stopwatch.Frequency / 50;
        for (long tick = 0; !stop.IsCancellationRequested; tick++)
        {
            for (int p = 0; p < legs.Length; p++)
            {
                byte[] payload = workload.Packets[p][tick % MediaWorkload.LoopFrames];
                RtpHeader.WriteFixed(packet, tick == 0, 111, (ushort)tick, (uint)(tick * AudioFormat.MixFrameSamples), legs[p].Ssrc);
                payload.CopyTo(packet.AsSpan(RtpHeader.FixedLength));
                legs[p].Send(packet.AsSpan(0, RtpHeader.FixedLength + payload.Length));
            }

            long due = start + (tick + 1) * period;
            do
            {
                foreach (Leg leg in legs)
                {
                    Interlocked.Add(ref leg.Received, leg.DrainCount(packet));
                }

                long remaining = due - Stopwatch.GetTimestamp();
                if (remaining > 0)
                {
                    Thread.Sleep(Math.Max(1, (int)(remaining * 1000 / Stopwatch.Frequency / 2)));
                }
            }
            while (Stopwatch.GetTimestamp() < due);
        }
    }

    /// <summary>One participant seen from the generator: a plain RTP socket or a simulated browser.</summary>
    private sealed class Leg : IDisposable
    {
        private Socket? _socket;
        private SocketAddress? _server;
        private SimulatedBrowser? _browser;
        public long Received;

        public uint Ssrc { get; } = (uint)Random.Shared.Next();

        public static async Task<Leg> PlainAsync(ConferenceMedia conference)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 256 * 1024 };
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            socket.Blocking = false;
            MediaParticipant participant = await conference.AddParticipantAsync(new MediaEndpointOptions
            {
                Codec = AudioCodec.Opus,
                PayloadType = 111,
                RemoteRtp = (IPEndPoint)socket.LocalEndPoint!,
            });
            return new Leg { _socket = socket, _server = new IPEndPoint(IPAddress.Loopback, participant.LocalRtpPort).Serialize() };
        }

        public static async Task<Leg> WebRtcAsync(WebRtcLegFactory factory, ConferenceMedia conference, DtlsCertificate certificate)
        {
            var browser = new SimulatedBrowser(certificate);
            WebRtcLeg leg = await factory.CreateLegAsync(conference, browser.Offer());
            browser.Connect(leg.AnswerSdp);
            await leg.Connected.WaitAsync(TimeSpan.FromSeconds(10));
            browser.Socket.Blocking = false;
            return new Leg { _browser = browser };
        }

        public void Send(ReadOnlySpan<byte> rtp)
        {
            if (_browser is not null)
            {
                _browser.SendRtp(rtp);
            }
            else
            {
                _socket!.SendTo(rtp, SocketFlags.None, _server!);
            }
        }

        public int DrainCount(byte[] scratch)
        {
            if (_browser is not null)
            {
                return _browser.DrainAndCount();
            }

            int count = 0;
            while (_socket!.Available > 0)
            {
                _socket.Receive(scratch);
                count++;
            }

            return count;
        }

        public void Dispose()
        {
            _socket?.Dispose();
            _browser?.Dispose();
        }
    }
}
