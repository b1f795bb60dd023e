using System.Net;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Rtcp;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.Video.Codecs.Vp8;
using ConferenceCluster.Media.Video.Rtp;
using ConferenceCluster.Media.Video.Workers;

namespace ConferenceCluster.Media.Video.Mixing;

/// <summary>
/// This node's end of a backplane's video (docs/decisions.md, "Backplane video"): one RTP port pair that carries one
/// stream per participant, each under the SSRC its home node gave it. Outgoing: this node's own participants
/// (<see cref="LocalSourceForward"/>) and the streams it forwards from its other backplanes, unchanged. Incoming: each
/// stream is forwarded on (split horizon: never from one geo backplane to another, as for audio), reassembled,
/// NACKed and decoded once into the participant's <see cref="VideoSource"/>. A NACK is answered from what this node
/// sent (its own streams' history, or the packets it forwarded), a PLI for a forwarded stream goes upstream.
/// </summary>
/// <remarks>
/// Like an audio backplane leg: its remote is always explicit (no latching), and nothing is sent until it is known.
/// Hot-path members run on the conference's worker only.
/// </remarks>
public sealed class BackplaneVideoLeg
{
    private const int MaxRtcpBytes = 1200;

    private readonly VideoConference _conference;
    private readonly VideoOptions _options;
    private readonly Dictionary<uint, InboundStream> _inbound = [];
    private readonly byte[] _rtcp = new byte[MaxRtcpBytes];
    private readonly byte[] _cname;
    private readonly uint _ssrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
    private readonly ushort[] _missing = new ushort[NackScheduler.Capacity];
    private readonly ushort[] _due = new ushort[NackScheduler.Capacity];
    private readonly ushort[] _requested = new ushort[RtcpFeedbackTypes.MaxNackItems * 17];
    private long _nextReportMs;
    private long _malformed;
    private long _refused;
    private long _forwarded;

    internal BackplaneVideoLeg(VideoConference conference, MixRole role, RtpTransport transport, VideoOptions options)
    {
        _conference = conference;
        _options = options;
        Role = role;
        Transport = transport;
        _cname = System.Text.Encoding.UTF8.GetBytes(options.Cname);
    }

    /// <summary><see cref="MixRole.LocalBackplane"/> or <see cref="MixRole.GeoBackplane"/>: decides what it forwards.</summary>
    public MixRole Role { get; }

    public int LocalRtpPort => Transport.LocalRtpPort;

    public int LocalRtcpPort => Transport.LocalRtcpPort;

    public IPEndPoint? RemoteRtpEndPoint => Transport.RemoteRtpEndPoint;

    internal RtpTransport Transport { get; }

    /// <summary>Points this end at the peer's (the wiring's second round); nothing is sent before.</summary>
    public Task SetRemoteAsync(IPEndPoint remoteRtp, IPEndPoint? remoteRtcp = null)
    {
        ArgumentNullException.ThrowIfNull(remoteRtp);
        return _conference.Worker.InvokeAsync(() =>
        {
            Transport.SetRemote(remoteRtp, remoteRtcp);
            return true;
        });
    }

    /// <summary>What crossed this backplane: streams received, packets forwarded on, and what was refused.</summary>
    public Task<BackplaneVideoStatistics> GetStatisticsAsync() => _conference.Worker.InvokeAsync(() => new BackplaneVideoStatistics
    {
        Streams = _inbound.Count,
        Participants = _inbound.Values.Select(s => s.Key).Distinct().Order(StringComparer.Ordinal).ToArray(),
        PacketsReceived = _inbound.Values.Sum(s => s.Stream.Statistics.PacketsReceived),
        PacketsLost = _inbound.Values.Sum(s => Math.Max(0, s.Stream.Statistics.PacketsLost)),
        FramesDecoded = _inbound.Values.Sum(s => s.Stream.FramesDecoded),
        PacketsForwarded = _forwarded,
        PacketsMalformed = _malformed,
        StreamsRefused = _refused,
    });

    internal bool CanForwardTo(BackplaneVideoLeg other) =>
        other != this && !(Role == MixRole.GeoBackplane && other.Role == MixRole.GeoBackplane);

    internal void Send(ReadOnlySpan<byte> packet)
    {
        if (Transport.SendRtp(packet))
        {
            _forwarded++;
        }
    }

    /// <summary>A PLI upstream for a stream this leg brings in (a node further on lost it, or we did).</summary>
    internal void RequestKeyframeUpstream(uint ssrc, long nowMs)
    {
        if (_inbound.TryGetValue(ssrc, out InboundStream? stream))
        {
            stream.Stream.WantKeyframe = true;
            SendFeedback(stream, nowMs);
        }
    }

    /// <summary>Answers a NACK from the packets of a stream this leg brought in and this node forwarded.</summary>
    internal bool TryRetransmitForwarded(uint ssrc, ReadOnlySpan<ushort> sequences, BackplaneVideoLeg to)
    {
        if (!_inbound.TryGetValue(ssrc, out InboundStream? stream))
        {
            return false;
        }

        foreach (ushort sequence in sequences)
        {
            if (stream.Forwarded.TryGet(sequence, out ReadOnlySpan<byte> packet))
            {
                to.Send(packet);
            }
        }

        return true;
    }

    internal void Receive(Span<byte> buffer, SocketAddress source, long nowMs)
    {
        int received;
        while ((received = Transport.TryReceiveRtp(buffer, source)) >= 0)
        {
            OnRtp(buffer[..received], nowMs);
        }

        while ((received = Transport.TryReceiveRtcp(buffer, source)) >= 0)
        {
            OnRtcp(buffer[..received], nowMs);
        }

        foreach (InboundStream stream in _inbound.Values)
        {
            SendFeedback(stream, nowMs);
        }
    }

    /// <summary>A receiver report per stream received, when due.</summary>
    internal void SendReportIfDue(long nowMs)
    {
        if (nowMs < _nextReportMs || !Transport.HasRemote)
        {
            return;
        }

        _nextReportMs = nowMs + (long)(_options.RtcpInterval.TotalMilliseconds * (0.5 + Random.Shared.NextDouble()));
        Span<RtcpReportBlock> blocks = stackalloc RtcpReportBlock[Math.Min(31, _inbound.Count)];
        int count = 0;
        foreach (InboundStream stream in _inbound.Values)
        {
            if (count == blocks.Length)
            {
                break;
            }

            RtpReceiveStatistics receive = stream.Stream.Statistics;
            blocks[count++] = new RtcpReportBlock(receive.Ssrc, receive.TakeFractionLost(), receive.ReportedCumulativeLost,
                (uint)receive.ExtendedHighestSequence, receive.ReportedJitter, 0, 0);
        }

        var writer = new RtcpWriter(_rtcp);
        writer.WriteReceiverReport(_ssrc, blocks[..count]);
        writer.WriteSourceDescriptionCname(_ssrc, _cname);
        Transport.SendRtcp(writer.Packet);
    }

    /// <summary>Forgets the streams of a participant (it left, or another path now brings it).</summary>
    internal void Forget(string key)
    {
        foreach (KeyValuePair<uint, InboundStream> entry in _inbound.Where(e => e.Value.Key == key).ToArray())
        {
            _inbound.Remove(entry.Key);
        }
    }

    private void OnRtp(ReadOnlySpan<byte> packet, long nowMs)
    {
        if (!RtpHeader.TryParse(packet, out RtpHeader header) || header.PayloadType != BackplaneVideo.PayloadType ||
            !BackplaneVideoExtension.TryRead(packet, header, out ReadOnlySpan<byte> keyUtf8, out double level))
        {
            _malformed++;
            return;
        }

        if (!_inbound.TryGetValue(header.Ssrc, out InboundStream? stream) || !keyUtf8.SequenceEqual(stream.KeyUtf8))
        {
            if (stream is null && _inbound.Count >= _options.MaxRemoteSourcesPerBackplane)
            {
                _refused++;
                return;
            }

            string key = System.Text.Encoding.UTF8.GetString(keyUtf8);
            stream = new InboundStream(key, keyUtf8.ToArray(), _options.RetransmissionHistory);
            _inbound[header.Ssrc] = stream;
        }

        VideoSource? source = _conference.RemoteSourceFor(stream.Key, this);
        if (source is null)
        {
            _refused++; // the participant is local here, or another backplane brings it: never twice
            return;
        }

        if (stream.Forwarded.TryGet(header.SequenceNumber, out _))
        {
            return; // a duplicate (or a retransmission we already had): neither forwarded nor stored again
        }

        // Forward first, unchanged: the next nodes decode for themselves.
        stream.Forwarded.Store(header.SequenceNumber, packet);
        _conference.Forward(this, packet);

        source.LevelDbfs = level;
        source.LastLevelMs = nowMs;
        if (!stream.Stream.OnPacket(header, packet, source, nowMs))
        {
            _malformed++;
        }
    }

    private void OnRtcp(ReadOnlySpan<byte> compound, long nowMs)
    {
        if (!RtcpFeedbackReader.IsValidCompoundOrReducedSize(compound))
        {
            _malformed++;
            return;
        }

        var reader = new RtcpCompoundReader(compound);
        while (reader.TryReadNext(out RtcpPacket packet))
        {
            switch (RtcpFeedbackReader.Classify(packet, out _, out uint media))
            {
                case RtcpFeedbackKind.Nack:
                    int count = RtcpFeedbackReader.ReadNack(packet, _requested);
                    _conference.OnBackplaneNack(this, media, _requested.AsSpan(0, count));
                    break;
                case RtcpFeedbackKind.PictureLoss:
                case RtcpFeedbackKind.FullIntraRequest:
                    _conference.OnBackplaneKeyframeRequest(media, nowMs);
                    break;
            }
        }
    }

    /// <summary>NACKs, give-ups and PLIs for one incoming stream (toward the node that sends it to us).</summary>
    private void SendFeedback(InboundStream stream, long nowMs)
    {
        if (!Transport.HasRemote || _conference.RemoteSourceOwnedBy(stream.Key, this) is not { } source)
        {
            return;
        }

        int due = stream.Stream.PlanFeedback(nowMs, (long)_options.MaxWaitForRetransmission.TotalMilliseconds,
            (long)_options.KeyframeRequestInterval.TotalMilliseconds, nack: true, source, _missing, _due, out bool keyframe);
        if (due == 0 && !keyframe)
        {
            return;
        }

        var writer = new RtcpWriter(_rtcp);
        writer.WriteReceiverReport(_ssrc, []);
        var feedback = new RtcpFeedbackWriter(_rtcp, writer.Written);
        uint media = stream.Stream.Statistics.Ssrc;
        if (due > 0)
        {
            feedback.WriteNack(_ssrc, media, _due.AsSpan(0, due));
        }

        if (keyframe)
        {
            feedback.WritePictureLossIndication(_ssrc, media);
        }

        Transport.SendRtcp(_rtcp.AsSpan(0, feedback.Written));
    }

    /// <summary>One participant's stream arriving on this backplane, and what of it this node forwarded.</summary>
    private sealed class InboundStream(string key, byte[] keyUtf8, int historyCapacity)
    {
        public string Key { get; } = key;

        public byte[] KeyUtf8 { get; } = keyUtf8;

        public InboundVideoStream Stream { get; } = new();

        /// <summary>What this node forwarded of the stream (and so may retransmit to the next node).</summary>
        public RtpPacketHistory Forwarded { get; } = new(historyCapacity);
    }
}

/// <summary>What one end of a video backplane received and forwarded.</summary>
public sealed record BackplaneVideoStatistics
{
    public int Streams { get; init; }

    /// <summary>The participants whose video arrived over this backplane.</summary>
    public IReadOnlyList<string> Participants { get; init; } = [];

    public long PacketsReceived { get; init; }

    public long PacketsLost { get; init; }

    public long FramesDecoded { get; init; }

    /// <summary>Packets sent on this backplane (our participants' and those forwarded from other backplanes).</summary>
    public long PacketsForwarded { get; init; }

    public long PacketsMalformed { get; init; }

    /// <summary>Streams refused: too many, or a participant that is local here or already arrives another way.</summary>
    public long StreamsRefused { get; init; }
}
