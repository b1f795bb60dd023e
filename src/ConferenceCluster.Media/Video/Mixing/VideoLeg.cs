using System.Diagnostics;
using System.Net;
using ConferenceCluster.Media.Rtcp;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.Video.Codecs.Vp8;
using ConferenceCluster.Media.Video.Rtp;
using ConferenceCluster.Media.Video.Workers;

namespace ConferenceCluster.Media.Video.Mixing;

/// <summary>
/// One participant's video leg in a <see cref="VideoConference"/>, beside its audio leg: its own RTP/RTCP port pair,
/// the participant's incoming VP8 (reassembled, NACKed, decoded once into its <see cref="VideoSource"/>) and the
/// composite it receives (packetized behind its own SSRC and sequence numbers from a picture encoder it may share).
/// RTCP both ways: reports, generic NACK, PLI/FIR and REMB (RFC 4585, RFC 5104).
/// </summary>
/// <remarks>Created by <see cref="VideoConference.AddLegAsync"/>; the hot-path members run only on the conference's worker.</remarks>
public sealed class VideoLeg
{
    private const int MaxRtcpBytes = 1200;

    private readonly VideoConference _conference;
    private readonly VideoOptions _options;
    private readonly InboundVideoStream _inbound = new();
    private readonly byte[] _rtcp = new byte[MaxRtcpBytes];
    private readonly byte[] _cname;
    private readonly RtcpReportBlock[] _reportBlock = new RtcpReportBlock[1];
    private readonly ushort[] _missing = new ushort[NackScheduler.Capacity];
    private readonly ushort[] _due = new ushort[NackScheduler.Capacity];
    private readonly ushort[] _requested = new ushort[RtcpFeedbackTypes.MaxNackItems * 17];
    private readonly uint[] _rembSsrcs = new uint[1];

    private uint _lastSenderReportCompactNtp;
    private long _lastSenderReportArrivalMs;
    private long _nextReportMs;
    private byte _firSequence;
    private int _lastFirSequenceSeen = -1;
    private long _malformed;
    private long _nacksSent;
    private long _keyframeRequestsSent;
    private long _keyframeRequestsReceived;
    private int _rembKbps;

    internal VideoLeg(VideoConference conference, VideoLegOptions options, RtpTransport transport, VideoOptions engineOptions, VideoResolution resolution)
    {
        _conference = conference;
        _options = engineOptions;
        Options = options;
        Transport = transport;
        Resolution = resolution;
        SendStream = new VideoSendStream(options.PayloadType, historyCapacity: engineOptions.RetransmissionHistory);
        Source = options.Sends ? new VideoSource(options.ParticipantKey, isLocal: true, engineOptions.MaxDecodeMacroblocks) : null;
        _cname = System.Text.Encoding.UTF8.GetBytes(engineOptions.Cname);
        if (options.RemoteRtp is not null)
        {
            transport.SetRemote(options.RemoteRtp, options.RemoteRtcp);
        }
    }

    public string ParticipantKey => Options.ParticipantKey;

    public VideoLegOptions Options { get; }

    /// <summary>The resolution of the composite this participant receives.</summary>
    public VideoResolution Resolution { get; }

    public VideoConference Conference => _conference;

    /// <summary>The local RTP port for the SDP answer's m=video line (RTCP is the next port).</summary>
    public int LocalRtpPort => Transport.LocalRtpPort;

    public int LocalRtcpPort => Transport.LocalRtcpPort;

    public IPEndPoint? RemoteRtpEndPoint => Transport.RemoteRtpEndPoint;

    /// <summary>The SSRC of the composite we send this participant.</summary>
    public uint OutboundSsrc => SendStream.Ssrc;

    internal RtpTransport Transport { get; }

    internal VideoSendStream SendStream { get; }

    /// <summary>The participant's decoded video (null if it does not send).</summary>
    internal VideoSource? Source { get; }

    /// <summary>The picture encoder whose frames this leg receives (worker thread).</summary>
    internal PictureEncoder? Encoder { get; set; }

    /// <summary>What this participant lets us send it: REMB if it sent one, else its SDP bandwidth, else no limit.</summary>
    internal int MaxSendKbps => _rembKbps > 0 ? _rembKbps : Options.ReceiveCapabilities.MaxBitrateKbps ?? int.MaxValue;

    /// <summary>Points RTP at a new remote address (re-INVITE), applied on the worker.</summary>
    public Task SetRemoteAsync(IPEndPoint remoteRtp, IPEndPoint? remoteRtcp = null)
    {
        ArgumentNullException.ThrowIfNull(remoteRtp);
        return _conference.Worker.InvokeAsync(() =>
        {
            Transport.SetRemote(remoteRtp, remoteRtcp);
            return true;
        });
    }

    public VideoLegStatistics GetStatistics() => new()
    {
        PacketsReceived = _inbound.Statistics.PacketsReceived,
        PacketsLost = Math.Max(0, _inbound.Statistics.PacketsLost),
        PacketsMalformed = Interlocked.Read(ref _malformed) + _inbound.Assembler.PacketsMalformed,
        FramesDecoded = Source?.Decoder.FramesDecoded ?? 0,
        KeyframesDecoded = Source?.Decoder.KeyframesDecoded ?? 0,
        FramesDropped = Source?.Decoder.FramesDropped ?? 0,
        FramesDamaged = _inbound.Assembler.FramesDamaged,
        NacksSent = _nacksSent,
        KeyframeRequestsSent = _keyframeRequestsSent,
        KeyframeRequestsReceived = _keyframeRequestsReceived,
        PacketsSent = SendStream.PacketCount,
        FramesSent = SendStream.FramesSent,
        PacketsRetransmitted = SendStream.PacketsRetransmitted,
        RembKbps = _rembKbps > 0 ? _rembKbps : null,
        Resolution = Resolution,
    };

    /// <summary>Drains this leg's sockets: RTP into the assembler and decoder, RTCP feedback acted on (worker thread).</summary>
    internal void Receive(Span<byte> buffer, SocketAddress source, long nowMs)
    {
        int received;
        while ((received = Transport.TryReceiveRtp(buffer, source)) >= 0)
        {
            if (OnRtp(buffer[..received], nowMs))
            {
                Transport.ConfirmRtpSource(source);
            }
        }

        while ((received = Transport.TryReceiveRtcp(buffer, source)) >= 0)
        {
            if (OnRtcp(buffer[..received], nowMs))
            {
                Transport.ConfirmRtcpSource(source);
            }
        }

        SendFeedbackIfDue(nowMs);
    }

    /// <summary>Sends one frame of the composite this leg receives.</summary>
    internal void SendFrame(ReadOnlySpan<byte> frame, long mediaTime90k)
    {
        if (!Transport.HasRemote)
        {
            return;
        }

        VideoSendStream.FramePacketizer packets = SendStream.BeginFrame(frame, mediaTime90k);
        while (packets.TryNext(out ReadOnlySpan<byte> packet))
        {
            Transport.SendRtp(packet);
        }
    }

    /// <summary>The periodic RTCP report (SR or RR, SDES, REMB), when due (worker thread).</summary>
    internal void SendReportIfDue(long nowMs)
    {
        if (nowMs < _nextReportMs)
        {
            return;
        }

        long interval = (long)_options.RtcpInterval.TotalMilliseconds;
        _nextReportMs = nowMs + (long)(interval * (0.5 + Random.Shared.NextDouble()));
        var feedback = new RtcpFeedbackWriter(_rtcp, WriteReport(nowMs));
        if (Source is not null && _inbound.Statistics.HasSource && Options.Feedback.HasFlag(VideoFeedback.Remb))
        {
            // Tell the sender the rate we want from it: what its largest tile needs, the conference's resolution.
            _rembSsrcs[0] = _inbound.Statistics.Ssrc;
            feedback.WriteRemb(SendStream.Ssrc, (ulong)_conference.MaximumResolution.TargetKbps * 1000, _rembSsrcs);
        }

        Transport.SendRtcp(_rtcp.AsSpan(0, feedback.Written));
    }

    /// <summary>Says goodbye (RTCP BYE) before the sockets close.</summary>
    internal void SendGoodbye()
    {
        var writer = new RtcpWriter(_rtcp);
        writer.WriteReceiverReport(SendStream.Ssrc, []);
        writer.WriteSourceDescriptionCname(SendStream.Ssrc, _cname);
        Span<uint> ssrc = [SendStream.Ssrc];
        writer.WriteGoodbye(ssrc);
        Transport.SendRtcp(writer.Packet);
    }

    private bool OnRtp(ReadOnlySpan<byte> packet, long nowMs)
    {
        if (!RtpHeader.TryParse(packet, out RtpHeader header) || header.PayloadType != Options.PayloadType || Source is null)
        {
            _malformed++;
            return false;
        }

        return _inbound.OnPacket(header, packet, Source, nowMs);
    }

    private bool OnRtcp(ReadOnlySpan<byte> compound, long nowMs)
    {
        if (!RtcpFeedbackReader.IsValidCompoundOrReducedSize(compound))
        {
            _malformed++;
            return false;
        }

        var reader = new RtcpCompoundReader(compound);
        while (reader.TryReadNext(out RtcpPacket packet))
        {
            if (packet.TryGetSenderInfo(out RtcpSenderInfo sender))
            {
                _lastSenderReportCompactNtp = sender.CompactNtp;
                _lastSenderReportArrivalMs = nowMs;
            }

            switch (RtcpFeedbackReader.Classify(packet, out _, out uint media))
            {
                case RtcpFeedbackKind.Nack when media == SendStream.Ssrc:
                    int count = RtcpFeedbackReader.ReadNack(packet, _requested);
                    var retransmitTo = new TransportSender(Transport);
                    SendStream.Retransmit(_requested.AsSpan(0, count), ref retransmitTo);
                    break;
                case RtcpFeedbackKind.PictureLoss when media == SendStream.Ssrc:
                    _keyframeRequestsReceived++;
                    _conference.OnKeyframeRequested(this, nowMs);
                    break;
                case RtcpFeedbackKind.FullIntraRequest when RtcpFeedbackReader.TryGetFullIntraRequest(packet, SendStream.Ssrc, out byte sequence):
                    if (sequence != _lastFirSequenceSeen)
                    {
                        // RFC 5104 4.3.1.2: a repeated sequence number is the same request again, not a new one.
                        _lastFirSequenceSeen = sequence;
                        _keyframeRequestsReceived++;
                        _conference.OnKeyframeRequested(this, nowMs);
                    }

                    break;
                case RtcpFeedbackKind.Remb:
                    if (RtcpFeedbackReader.TryReadRemb(packet, out ulong bitsPerSecond, _rembSsrcs, out int listed) &&
                        (listed == 0 || _rembSsrcs[0] == SendStream.Ssrc))
                    {
                        _rembKbps = (int)Math.Clamp(bitsPerSecond / 1000, 16, int.MaxValue);
                    }

                    break;
            }
        }

        return true;
    }

    /// <summary>NACKs for what is missing, giving up on a frame that waited too long, and PLI/FIR when a key frame is needed.</summary>
    private void SendFeedbackIfDue(long nowMs)
    {
        if (Source is null)
        {
            return;
        }

        bool canAskKeyframe = (Options.Feedback & (VideoFeedback.PictureLossIndication | VideoFeedback.FullIntraRequest)) != 0;
        int due = _inbound.PlanFeedback(nowMs, (long)_options.MaxWaitForRetransmission.TotalMilliseconds,
            canAskKeyframe ? (long)_options.KeyframeRequestInterval.TotalMilliseconds : long.MaxValue,
            Options.Feedback.HasFlag(VideoFeedback.Nack), Source, _missing, _due, out bool keyframe);
        if (due == 0 && !keyframe)
        {
            return;
        }

        var feedback = new RtcpFeedbackWriter(_rtcp, WriteReport(nowMs));
        uint media = _inbound.Statistics.Ssrc;
        if (due > 0)
        {
            feedback.WriteNack(SendStream.Ssrc, media, _due.AsSpan(0, due));
            _nacksSent++;
        }

        if (keyframe)
        {
            if (Options.Feedback.HasFlag(VideoFeedback.PictureLossIndication))
            {
                feedback.WritePictureLossIndication(SendStream.Ssrc, media);
            }
            else
            {
                feedback.WriteFullIntraRequest(SendStream.Ssrc, media, ++_firSequence);
            }

            _keyframeRequestsSent++;
        }

        Transport.SendRtcp(_rtcp.AsSpan(0, feedback.Written));
    }

    /// <summary>SR (if we have sent) or RR, with a report block on the stream we receive, and SDES CNAME.</summary>
    /// <returns>Bytes written to the RTCP buffer.</returns>
    private int WriteReport(long nowMs)
    {
        var writer = new RtcpWriter(_rtcp);
        int blocks = 0;
        RtpReceiveStatistics receive = _inbound.Statistics;
        if (receive.HasSource)
        {
            uint delay = _lastSenderReportCompactNtp == 0 ? 0 : (uint)((nowMs - _lastSenderReportArrivalMs) * 65536 / 1000);
            _reportBlock[0] = new RtcpReportBlock(receive.Ssrc, receive.TakeFractionLost(), receive.ReportedCumulativeLost,
                (uint)receive.ExtendedHighestSequence, receive.ReportedJitter, _lastSenderReportCompactNtp, delay);
            blocks = 1;
        }

        if (SendStream.PacketCount > 0)
        {
            var sender = new RtcpSenderInfo(SendStream.Ssrc, RtcpSenderInfo.ToNtp(DateTimeOffset.UtcNow), SendStream.LastTimestamp,
                (uint)SendStream.PacketCount, (uint)SendStream.OctetCount);
            writer.WriteSenderReport(sender, _reportBlock.AsSpan(0, blocks));
        }
        else
        {
            writer.WriteReceiverReport(SendStream.Ssrc, _reportBlock.AsSpan(0, blocks));
        }

        writer.WriteSourceDescriptionCname(SendStream.Ssrc, _cname);
        return writer.Written;
    }
}

/// <summary>Sends a stream's packets (and retransmissions) on a transport.</summary>
internal readonly struct TransportSender(RtpTransport transport) : IRtpPacketSender
{
    public void Send(ReadOnlySpan<byte> packet) => transport.SendRtp(packet);
}
