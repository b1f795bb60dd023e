using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.Rtcp;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Video.Codecs.Vp8;
using ConferenceCluster.Media.Video.Composition;
using ConferenceCluster.Media.Video.Rtp;

namespace ConferenceCluster.Media.Tests.Video.Support;

/// <summary>
/// A video phone for tests, over real UDP on 127.0.0.1: it sends its camera (a solid colour, or a textured one,
/// encoded with libvpx) as VP8 RTP, answers PLI/FIR with a key frame and NACK from its history, and decodes what it
/// receives (asking for lost packets and key frames itself), keeping the last picture to be sampled.
/// </summary>
/// <remarks>
/// Driven by the test's own loop (<see cref="Step"/>), so it needs no thread. Knobs simulate bad senders and lossy
/// networks: drop outgoing packets, never send a key frame, damage payloads, drop incoming packets once.
/// </remarks>
internal sealed class VideoTestEndpoint : IDisposable
{
    public const byte PayloadType = 96;

    private readonly Socket _rtp = Bind();
    private readonly Socket _rtcp = Bind();
    private readonly byte[] _buffer = new byte[2048];
    private readonly Vp8Encoder _encoder;
    private readonly byte[] _frame;
    private readonly I420Buffer _camera;
    private readonly Vp8FrameAssembler _assembler = new();
    private readonly NackScheduler _nacks = new() { RetryIntervalMs = 30 };
    private readonly Vp8Decoder _decoder = new();
    private readonly HashSet<ushort> _droppedIncomingOnce = [];
    private long _lastPliMs = -1000;
    private long _frameNumber;
    private uint _remoteSsrc;

    public VideoTestEndpoint(string name, YuvColor colour, int width = 320, int height = 180, bool textured = false)
    {
        Name = name;
        Colour = colour;
        Textured = textured;
        _encoder = new Vp8Encoder(new Vp8EncoderSettings { Width = width, Height = height, TargetBitrateKbps = 400 });
        _frame = new byte[_encoder.MaxFrameBytes];
        _camera = TestPictures.Solid(width, height, colour);
        Stream = new VideoSendStream(PayloadType);
    }

    public string Name { get; }

    public YuvColor Colour { get; set; }

    public bool Textured { get; }

    public VideoSendStream Stream { get; }

    public IPEndPoint RtpEndPoint => (IPEndPoint)_rtp.LocalEndPoint!;

    public IPEndPoint RtcpEndPoint => (IPEndPoint)_rtcp.LocalEndPoint!;

    /// <summary>Where our video goes (the leg's RTP port) and its RTCP port.</summary>
    public IPEndPoint? Server { get; set; }

    public IPEndPoint? ServerRtcp { get; set; }

    /// <summary>Sends nothing at all (a receive-only participant).</summary>
    public bool Silent { get; set; }

    /// <summary>Drops outgoing packets for which this returns true (given the packet's index since start), as a lossy network would.</summary>
    public Func<long, bool>? DropOutgoing { get; set; }

    /// <summary>Every key frame is lost on the way, and NACKs are not answered (a sender that never gets a key frame through).</summary>
    public bool NeverSendKeyframes { get; set; }

    /// <summary>Replaces each outgoing payload after the descriptor with this many random bytes (damage), when set.</summary>
    public Random? DamagePayloads { get; set; }

    /// <summary>Incoming sequence numbers to drop the first time they arrive (the retransmission is kept).</summary>
    public void DropIncomingOnce(ushort sequence) => _droppedIncomingOnce.Add(sequence);

    public long PacketsSentIndex { get; private set; }

    public int PliReceived { get; private set; }

    public int NacksReceived { get; private set; }

    public int PacketsRetransmitted { get; private set; }

    public int PliSent { get; private set; }

    public int NacksSent { get; private set; }

    public int FramesReceived { get; private set; }

    public int KeyframesReceived { get; private set; }

    /// <summary>Whether the first frame received after the last PLI we sent was a key frame (null: none yet).</summary>
    public List<bool> FrameKinds { get; } = [];

    public HashSet<uint> SsrcsReceived { get; } = [];

    /// <summary>The last picture decoded, copied (null before the first).</summary>
    public I420Buffer? Picture { get; private set; }

    public int FirstIncomingSequence { get; private set; } = -1;

    /// <summary>One 33 ms step: send a frame of our camera, then drain everything that came in and answer it.</summary>
    public void Step(long nowMs)
    {
        SendFrame();
        Drain(nowMs);
        if (nowMs - _lastReportMs >= 1000 && ServerRtcp is not null)
        {
            // A receiver report a second from the RTCP socket, as phones send them (and so the leg learns where RTCP goes).
            var rtcp = new byte[64];
            var writer = new RtcpWriter(rtcp);
            writer.WriteReceiverReport(Stream.Ssrc, []);
            writer.WriteSourceDescriptionCname(Stream.Ssrc, "test@video"u8);
            _rtcp.SendTo(writer.Packet, SocketFlags.None, ServerRtcp);
            _lastReportMs = nowMs;
        }
    }

    private long _lastReportMs = -1000;

    public void SendFrame()
    {
        if (Silent || Server is null)
        {
            return;
        }

        _frameNumber++;
        if (Textured)
        {
            TestPictures.Textured(_camera, Colour, (int)_frameNumber);
        }
        else if (_camera.View.PixelAt(0, 0) != Colour)
        {
            _camera.Fill(Colour);
        }

        int length = _encoder.Encode(_camera.View, _frameNumber * 3000, 3000, _frame, out bool keyframe);
        VideoSendStream.FramePacketizer packets = Stream.BeginFrame(_frame.AsSpan(0, length), _frameNumber * 3000);
        while (packets.TryNext(out ReadOnlySpan<byte> packet))
        {
            long index = PacketsSentIndex++;
            if ((keyframe && NeverSendKeyframes) || DropOutgoing?.Invoke(index) == true)
            {
                continue;
            }

            if (DamagePayloads is { } random && packet.Length > 20)
            {
                byte[] damaged = packet.ToArray();
                random.NextBytes(damaged.AsSpan(RtpHeader.FixedLength + Vp8PayloadDescriptor.WrittenLength));
                _rtp.SendTo(damaged, Server);
                continue;
            }

            _rtp.SendTo(packet, SocketFlags.None, Server);
        }
    }

    public void Drain(long nowMs)
    {
        while (_rtcp.Available > 0)
        {
            int length = _rtcp.Receive(_buffer);
            OnRtcp(_buffer.AsSpan(0, length));
        }

        while (_rtp.Available > 0)
        {
            int length = _rtp.Receive(_buffer);
            OnRtp(_buffer.AsSpan(0, length));
        }

        RequestWhatIsMissing(nowMs);
    }

    /// <summary>Sends a PLI for the stream we receive (a viewer that lost a picture).</summary>
    public void SendPictureLossIndication()
    {
        var rtcp = new byte[64];
        var writer = new RtcpWriter(rtcp);
        writer.WriteReceiverReport(Stream.Ssrc, []);
        var feedback = new RtcpFeedbackWriter(rtcp, writer.Written);
        feedback.WritePictureLossIndication(Stream.Ssrc, _remoteSsrc);
        _rtcp.SendTo(rtcp.AsSpan(0, feedback.Written), SocketFlags.None, ServerRtcp!);
        PliSent++;
        FrameKinds.Clear();
    }

    public void Dispose()
    {
        _rtp.Dispose();
        _rtcp.Dispose();
        _encoder.Dispose();
        _decoder.Dispose();
    }

    private void OnRtp(ReadOnlySpan<byte> packet)
    {
        if (!RtpHeader.TryParse(packet, out RtpHeader header))
        {
            return;
        }

        if (FirstIncomingSequence < 0)
        {
            FirstIncomingSequence = header.SequenceNumber;
        }

        if (_droppedIncomingOnce.Remove(header.SequenceNumber))
        {
            return; // "lost" on the way in; the retransmission will be kept
        }

        SsrcsReceived.Add(header.Ssrc);
        _remoteSsrc = header.Ssrc;
        _assembler.Insert(header.SequenceNumber, header.Timestamp, header.Marker, header.PayloadOf(packet));
        while (_assembler.TryTakeFrame(out ReadOnlySpan<byte> frame, out _, out bool keyframe, out _))
        {
            FramesReceived++;
            FrameKinds.Add(keyframe);
            if (keyframe)
            {
                KeyframesReceived++;
            }

            if (_decoder.Decode(frame) == Vp8DecodeResult.Decoded && _decoder.TryGetPicture(out I420View picture))
            {
                if (Picture is null || Picture.Width != picture.Width || Picture.Height != picture.Height)
                {
                    Picture = new I420Buffer(picture.Width, picture.Height);
                }

                Picture.Blit(picture, 0, 0);
            }
        }
    }

    private void OnRtcp(ReadOnlySpan<byte> compound)
    {
        if (!RtcpFeedbackReader.IsValidCompoundOrReducedSize(compound))
        {
            return;
        }

        var reader = new RtcpCompoundReader(compound);
        var lost = new ushort[1100];
        while (reader.TryReadNext(out RtcpPacket packet))
        {
            switch (RtcpFeedbackReader.Classify(packet, out _, out uint media))
            {
                case RtcpFeedbackKind.PictureLoss when media == Stream.Ssrc:
                case RtcpFeedbackKind.FullIntraRequest:
                    PliReceived++;
                    _encoder.RequestKeyframe();
                    break;
                case RtcpFeedbackKind.Nack when media == Stream.Ssrc && !NeverSendKeyframes:
                    NacksReceived++;
                    int count = RtcpFeedbackReader.ReadNack(packet, lost);
                    var sender = new SocketSender(_rtp, Server!);
                    PacketsRetransmitted += Stream.Retransmit(lost.AsSpan(0, count), ref sender);
                    break;
            }
        }
    }

    private void RequestWhatIsMissing(long nowMs)
    {
        if (ServerRtcp is null || _remoteSsrc == 0)
        {
            return;
        }

        Span<ushort> missing = stackalloc ushort[NackScheduler.Capacity];
        Span<ushort> due = stackalloc ushort[NackScheduler.Capacity];
        int count = _assembler.CollectMissing(missing);
        int nack = _nacks.Update(missing[..count], nowMs, due);
        bool pli = _decoder.NeedsKeyframe && FramesReceived > 0 && nowMs - _lastPliMs > 300;
        if (nack == 0 && !pli)
        {
            return;
        }

        var rtcp = new byte[600];
        var writer = new RtcpWriter(rtcp);
        writer.WriteReceiverReport(Stream.Ssrc, []);
        var feedback = new RtcpFeedbackWriter(rtcp, writer.Written);
        if (nack > 0)
        {
            feedback.WriteNack(Stream.Ssrc, _remoteSsrc, due[..nack]);
            NacksSent++;
        }

        if (pli)
        {
            feedback.WritePictureLossIndication(Stream.Ssrc, _remoteSsrc);
            _lastPliMs = nowMs;
            PliSent++;
        }

        _rtcp.SendTo(rtcp.AsSpan(0, feedback.Written), SocketFlags.None, ServerRtcp);
    }

    private static Socket Bind()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 1 << 20 };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Blocking = false;
        return socket;
    }

    private readonly struct SocketSender(Socket socket, IPEndPoint to) : IRtpPacketSender
    {
        public void Send(ReadOnlySpan<byte> packet) => socket.SendTo(packet, SocketFlags.None, to);
    }
}
