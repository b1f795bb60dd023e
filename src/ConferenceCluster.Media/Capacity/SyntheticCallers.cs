using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Codecs.G711;
using ConferenceCluster.Media.Codecs.Opus;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Capacity;

/// <summary>
/// The capacity check's callers: UDP sockets on 127.0.0.1 in synthetic conferences on a media engine, and one thread
/// that plays them every 20 ms (pre-built packets, encoded once) and drains what the conferences send back. Talkers
/// send a tone; silent Opus callers send a DTX packet every 400 ms with level −127 dBov, silent G.711 callers digital
/// silence every frame (as phones do). Bounded: it stops when told, or after ten minutes.
/// </summary>
internal sealed class SyntheticCallers : IDisposable
{
    private const byte OpusPayloadType = 111;
    private const byte LevelExtensionId = 1;
    private static readonly TimeSpan LongestRun = TimeSpan.FromMinutes(10);

    private readonly Socket[] _sockets;
    private readonly EndPoint[] _servers;
    private readonly byte[][][] _packets; // [caller][frame of the loop] (null: nothing sent that frame)
    private readonly List<ConferenceMedia> _conferences;
    private readonly Thread _thread;
    private volatile bool _stopping;

    private SyntheticCallers(Socket[] sockets, EndPoint[] servers, byte[][][] packets, List<ConferenceMedia> conferences)
    {
        _sockets = sockets;
        _servers = servers;
        _packets = packets;
        _conferences = conferences;
        _thread = new Thread(Run) { IsBackground = true, Name = "capacity-check-callers", Priority = ThreadPriority.AboveNormal };
    }

    public int Count => _sockets.Length;

    public static async Task<SyntheticCallers> JoinAsync(MediaEngine engine, MediaCapacityCheckOptions options)
    {
        int count = options.Conferences * options.ConferenceSize;
        var sockets = new Socket[count];
        var servers = new EndPoint[count];
        var packets = new byte[count][][];
        var conferences = new List<ConferenceMedia>();
        const int LoopFrames = 50;
        byte[][][] opusTones = Enumerable.Range(0, options.Talkers).Select(t => EncodeOpusTone(400 + 300 * t, LoopFrames)).ToArray();
        byte[][] pcmuTones = Enumerable.Range(0, options.Talkers).Select(t => EncodePcmuTone(400 + 300 * t)).ToArray();
        byte[] pcmuSilence = new byte[AudioFormat.NarrowbandFrameSamples];
        G711MuLaw.Encode(new short[AudioFormat.NarrowbandFrameSamples], pcmuSilence);
        try
        {
            for (int c = 0; c < options.Conferences; c++)
            {
                ConferenceMedia conference = await engine.CreateConferenceAsync($"capacity-check-{c}").ConfigureAwait(false);
                conferences.Add(conference);
                bool opus = !options.MixCodecs || c % 2 == 0;
                var joins = new List<Task>();
                for (int slot = 0; slot < options.ConferenceSize; slot++)
                {
                    int i = c * options.ConferenceSize + slot;
                    sockets[i] = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
                    sockets[i].Bind(new IPEndPoint(IPAddress.Loopback, 0));
                    bool talker = slot < options.Talkers;
                    uint ssrc = (uint)(i + 1);
                    packets[i] = new byte[LoopFrames][];
                    for (int frame = 0; frame < LoopFrames; frame++)
                    {
                        packets[i][frame] = opus
                            ? talker ? OpusPacket(ssrc, frame, opusTones[slot][frame], new AudioLevel(18, true))
                                : (frame + i) % 20 == 0 ? OpusPacket(ssrc, frame, [0xF8], new AudioLevel(127, false)) : null!
                            : PcmuPacket(ssrc, frame, talker ? pcmuTones[slot] : pcmuSilence);
                    }

                    int index = i;
                    joins.Add(Task.Run(async () =>
                    {
                        MediaParticipant leg = await conference.AddParticipantAsync(new MediaEndpointOptions
                        {
                            Codec = opus ? AudioCodec.Opus : AudioCodec.Pcmu,
                            PayloadType = opus ? OpusPayloadType : (byte)0,
                            RemoteRtp = (IPEndPoint)sockets[index].LocalEndPoint!,
                            AudioLevelExtensionId = opus ? LevelExtensionId : null,
                        }).ConfigureAwait(false);
                        servers[index] = new IPEndPoint(IPAddress.Loopback, leg.LocalRtpPort);
                    }));
                }

                await Task.WhenAll(joins).ConfigureAwait(false);
            }

            return new SyntheticCallers(sockets, servers, packets, conferences);
        }
        catch
        {
            foreach (Socket? socket in sockets)
            {
                socket?.Dispose();
            }

            throw;
        }
    }

    public void Start() => _thread.Start();

    public void Stop()
    {
        _stopping = true;
        if (_thread.IsAlive)
        {
            _thread.Join(TimeSpan.FromSeconds(5));
        }
    }

    public void Dispose()
    {
        Stop();
        foreach (ConferenceMedia conference in _conferences)
        {
            conference.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        foreach (Socket socket in _sockets)
        {
            socket.Dispose();
        }
    }

    private void Run()
    {
        var buffer = new byte[2048];
        long start = Stopwatch.GetTimestamp();
        long period = Stopwatch.Frequency / 50;
        for (long tick = 0; !_stopping && Stopwatch.GetElapsedTime(start) < LongestRun; tick++)
        {
            for (int i = 0; i < _sockets.Length; i++)
            {
                byte[] loop = _packets[i][tick % _packets[i].Length];
                if (loop is not null)
                {
                    // Sequence and timestamp advance with the tick, so the loop of packets is one endless stream.
                    StampSequence(loop, tick);
                    _sockets[i].SendTo(loop, _servers[i]);
                }

                while (_sockets[i].Available > 0)
                {
                    _sockets[i].Receive(buffer);
                }
            }

            long due = start + (tick + 1) * period;
            long remaining = due - Stopwatch.GetTimestamp();
            if (remaining > 0)
            {
                Thread.Sleep(TimeSpan.FromTicks(remaining * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
            }
        }
    }

    private static void StampSequence(byte[] packet, long tick)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)tick);
        int samples = packet[1] == 0 ? AudioFormat.NarrowbandFrameSamples : AudioFormat.MixFrameSamples;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), (uint)(tick * samples));
    }

    private static byte[] OpusPacket(uint ssrc, int frame, byte[] payload, AudioLevel level)
    {
        var packet = new byte[RtpHeader.FixedLength + 8 + payload.Length];
        RtpHeader.WriteFixed(packet, false, OpusPayloadType, (ushort)frame, (uint)(frame * AudioFormat.MixFrameSamples), ssrc);
        packet[0] |= 0x10;
        RtpHeaderExtensions.WriteOneByte(packet.AsSpan(RtpHeader.FixedLength), LevelExtensionId, [level.ToByte()]);
        payload.CopyTo(packet.AsSpan(RtpHeader.FixedLength + 8));
        return packet;
    }

    private static byte[] PcmuPacket(uint ssrc, int frame, byte[] payload)
    {
        var packet = new byte[RtpHeader.FixedLength + payload.Length];
        RtpHeader.WriteFixed(packet, false, 0, (ushort)frame, (uint)(frame * AudioFormat.NarrowbandFrameSamples), ssrc);
        payload.CopyTo(packet.AsSpan(RtpHeader.FixedLength));
        return packet;
    }

    private static byte[][] EncodeOpusTone(double frequency, int frames)
    {
        using var encoder = new OpusFrameEncoder(EncoderProfile.ForOpus(bitrateBps: 32_000, complexity: 10));
        var pcm = new short[AudioFormat.MixFrameSamples];
        var buffer = new byte[AudioFormat.MaxEncodedFrameBytes];
        var packets = new byte[frames][];
        for (int frame = 0; frame < frames; frame++)
        {
            for (int s = 0; s < pcm.Length; s++)
            {
                pcm[s] = (short)(6000 * Math.Sin(2 * Math.PI * frequency * ((long)frame * pcm.Length + s) / AudioFormat.MixSampleRate));
            }

            packets[frame] = buffer.AsSpan(0, encoder.Encode(pcm, buffer)).ToArray();
        }

        return packets;
    }

    private static byte[] EncodePcmuTone(double frequency)
    {
        var pcm = new short[AudioFormat.NarrowbandFrameSamples];
        for (int s = 0; s < pcm.Length; s++)
        {
            pcm[s] = (short)(4000 * Math.Sin(2 * Math.PI * frequency * s / AudioFormat.NarrowbandSampleRate));
        }

        var payload = new byte[pcm.Length];
        G711MuLaw.Encode(pcm, payload);
        return payload;
    }
}
