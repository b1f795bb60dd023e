using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Tests.Streams;
using ConferenceCluster.Media.Tests.Support;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Tests.Workers;

/// <summary>
/// A town hall: one conference of 2,000 audio callers on a node with two media workers, three talking (with RFC 6464
/// levels), the rest silent with Opus DTX. Functional only (bounded in count and time, no timing asserted): it runs,
/// spreads over both workers, everybody gets the mix, the sampled listeners hear the talkers and not themselves.
/// </summary>
public sealed class LargeConferenceTests
{
    private const byte OpusPt = 111;
    private const int LevelExtensionId = 3;
    private const int Participants = 2000;
    private const int Talkers = 3;
    private const int Frames = 100;
    private static readonly double[] Tones = [400, 700, 1000];

    [Fact]
    public async Task Two_thousand_callers_in_one_conference_on_two_workers()
    {
        await using var engine = new MediaEngine(new MediaOptions
        {
            WorkerCount = 2,
            BindAddress = IPAddress.Loopback,
            PortRange = new PortRange(21000, 25999),
        });
        ConferenceMedia conference = await engine.CreateConferenceAsync("town-hall");
        var sockets = new Socket[Participants];
        var legs = new MediaParticipant[Participants];
        try
        {
            for (int i = 0; i < Participants; i++)
            {
                sockets[i] = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
                sockets[i].Bind(new IPEndPoint(IPAddress.Loopback, 0));
            }

            // Joins in batches: each join waits for a worker's next tick, so one at a time would take minutes.
            for (int first = 0; first < Participants; first += 250)
            {
                await Task.WhenAll(Enumerable.Range(first, Math.Min(250, Participants - first)).Select(async i =>
                    legs[i] = await conference.AddParticipantAsync(new MediaEndpointOptions
                    {
                        Codec = AudioCodec.Opus,
                        PayloadType = OpusPt,
                        RemoteRtp = (IPEndPoint)sockets[i].LocalEndPoint!,
                        AudioLevelExtensionId = LevelExtensionId,
                    })));
            }

            Assert.Equal(Participants, conference.ParticipantCount);
            Assert.All(engine.Workers, worker => Assert.InRange(worker.ParticipantCount, 900, 1100));

            int[] sampled = [0, 1, 2, 100, 999, 1500, 1999];
            var received = new long[Participants];
            var heard = sampled.ToDictionary(i => i, _ => new List<byte[]>());
            Run(sockets, legs, received, heard);

            long ticks = conference.TickCount;
            // Everybody got the mix (loosely: the machine may be loaded; a dead listener would get none).
            // A loaded machine may starve the workers for stretches; a listener left out of the sends would get nothing.
            string workers = string.Join("; ", engine.GetWorkerStatistics());
            Assert.All(received, count => Assert.True(count >= 5, $"a listener received only {count} packets in {Frames} frames ({workers})"));
            foreach (int listener in sampled)
            {
                (short[] pcm, int rate) = TonePhones.Decode(AudioCodec.Opus, heard[listener]);
                for (int talker = 0; talker < Talkers; talker++)
                {
                    // Per 20 ms frame: a loaded machine may starve a stretch of the run, so "heard" is at least 0.2 s of
                    // the talker at full level; "not heard" (mix-minus) is the coding noise floor (as in the end-to-end
                    // tests) in the median frame, and 90 % of frames far below a voice's 6000 (a starved machine makes the
                    // speaker set flap, and a listener's decoder switching between its own and the shared stream leaks a
                    // little for a frame or two).
                    double[] amplitudes = Enumerable.Range(0, pcm.Length / 960).Select(f => Goertzel.Amplitude(pcm.AsSpan(f * 960, 960), Tones[talker], rate)).ToArray();
                    string detail = $"listener {listener} (worker {legs[listener].Worker.Index}), {Tones[talker]} Hz per frame /100: {string.Join(",", amplitudes.Select(a => (a / 100).ToString("F0")))}";
                    if (talker == listener)
                    {
                        double[] sorted = amplitudes.Order().ToArray();
                        Assert.True(sorted[sorted.Length / 2] < 150 && sorted[sorted.Length * 9 / 10] < 600, "hears itself: " + detail);
                    }
                    else
                    {
                        Assert.True(amplitudes.Count(a => a > 3000) >= 10, "does not hear the talker: " + detail);
                    }
                }
            }

            // The silent majority sent DTX: nothing of theirs was decoded.
            Assert.Equal(0, legs.Skip(Talkers).Sum(leg => leg.Inbound.DecodedFrames));
            Assert.True(legs.Skip(Talkers).Sum(leg => leg.Inbound.DtxFrames) > 0);
        }
        finally
        {
            await conference.DisposeAsync();
            foreach (Socket? socket in sockets)
            {
                socket?.Dispose();
            }
        }
    }

    /// <summary>
    /// One thread: every 20 ms the talkers send their tone with a level, each silent caller a DTX packet every 20th
    /// frame (staggered), and the sockets are drained (counted; the sampled listeners' payloads kept).
    /// </summary>
    private static void Run(Socket[] sockets, MediaParticipant[] legs, long[] received, Dictionary<int, List<byte[]>> heard)
    {
        byte[][][] tones = Tones.Select(f => InboundAudioStreamTests.EncodeOpusTone(50, f, fec: false, amplitude: 6000)).ToArray();
        var servers = legs.Select(l => new IPEndPoint(IPAddress.Loopback, l.LocalRtpPort)).ToArray();
        var buffer = new byte[2048];
        var thread = new Thread(() =>
        {
            // What the conference sent while everybody was joining is not part of the run.
            foreach (Socket socket in sockets)
            {
                while (socket.Available > 0)
                {
                    socket.Receive(buffer);
                }
            }

            long start = Stopwatch.GetTimestamp();
            for (int frame = 0; frame < Frames + 15; frame++)
            {
                for (int i = 0; frame < Frames && i < sockets.Length; i++)
                {
                    bool talker = i < Talkers;
                    if (talker || (frame + i) % 20 == 0)
                    {
                        byte[] payload = talker ? tones[i][frame % 50] : [0xF8];
                        var level = talker ? new AudioLevel(18, true) : new AudioLevel(127, false);
                        byte[] packet = RtpPackets.BuildWithExtension(OpusPt, (ushort)frame, (uint)(frame * 960), (uint)(i + 1), payload,
                            RtpPackets.OneByteElement(LevelExtensionId, [level.ToByte()]));
                        sockets[i].SendTo(packet, servers[i]);
                    }
                }

                // Draining 2,000 sockets takes a while: do it every 10th frame (the kernel buffers the rest), so the
                // talkers' packets keep their 20 ms pace; the sampled listeners are drained every frame.
                for (int i = 0; i < sockets.Length; i++)
                {
                    if (frame % 10 != 9 && frame < Frames && !heard.ContainsKey(i))
                    {
                        continue;
                    }

                    while (sockets[i].Available > 0)
                    {
                        int length = sockets[i].Receive(buffer);
                        received[i]++;
                        if (heard.TryGetValue(i, out List<byte[]>? kept) && RtpHeader.TryParse(buffer.AsSpan(0, length), out RtpHeader header))
                        {
                            kept.Add(header.PayloadOf(buffer.AsSpan(0, length)).ToArray());
                        }
                    }
                }

                TonePhones.SleepUntil(start, frame + 1);
            }
        })
        { Name = "town-hall-phones", Priority = ThreadPriority.Highest };
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "the phones' thread did not finish");
    }
}
