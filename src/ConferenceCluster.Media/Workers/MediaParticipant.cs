using System.Diagnostics;
using System.Net;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Jitter;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Rtcp;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Streams;
using ConferenceCluster.Media.Transport;

namespace ConferenceCluster.Media.Workers;

/// <summary>
/// One participant's audio leg in a <see cref="ConferenceMedia"/>: its RTP transport, the inbound stream (jitter
/// buffer, decoder, DTMF) and the outbound stream (RTP sequence/timestamp, RTCP). Created by
/// <see cref="ConferenceMedia.AddParticipantAsync"/>; its hot-path members run only on the conference's worker.
/// </summary>
public sealed class MediaParticipant
{
    private const int MaxRtcpBytes = 256;

    private readonly ConferenceMedia _conference;
    private readonly short[] _capturedFrame = new short[AudioFormat.MixFrameSamples];
    private MixParticipant? _mix;

    // Written on the leg's worker at capture, read on the home worker at mix (ordered by the shard's generation).
    private long _capturedGeneration;
    private CapturedFrameKind _capturedKind;
    private AudioLevel _capturedLevel;

    // Written on the home worker at mix, read on the leg's worker at send and capture (ordered by the mixed generation).
    private MixOutput? _output;
    private long _outputGeneration;
    private long _levelsDistrustedUntil;
    private readonly Action<MediaParticipant, DtmfDigit>? _dtmfReceived;
    private readonly byte[] _sendBuffer = new byte[RtpHeader.FixedLength + AudioFormat.MaxPayloadBytes];
    private readonly byte[] _rtcpBuffer = new byte[MaxRtcpBytes];
    private readonly byte[] _cname;
    private readonly RtcpReportBlock[] _reportBlock = new RtcpReportBlock[1];
    private readonly uint[] _goodbyeSsrc = new uint[1];

    // RTCP state: LSR/DLSR bookkeeping for the remote's SRs, and the remote's view of our stream.
    private uint _lastSenderReportCompactNtp;
    private long _lastSenderReportArrival;
    private long _nextRtcpDue;
    private long _dtmfDigits;
    private double _remoteFractionLost;
    private double _remoteJitterMs;
    private double _roundTripMs = double.NaN;
    private long _rtcpPacketsReceived;
    private bool _remoteSaidGoodbye;

    internal MediaParticipant(ConferenceMedia conference, MediaWorker worker, MixerParticipantId id, MediaEndpointOptions endpoint, IMediaTransport transport, MediaOptions options)
    {
        _conference = conference;
        Worker = worker;
        Id = id;
        Codec = endpoint.Codec;
        PayloadType = endpoint.PayloadType;
        Profile = endpoint.ResolveProfile();
        Role = endpoint.Role;
        Transport = transport;
        _dtmfReceived = endpoint.DtmfReceived;
        _cname = System.Text.Encoding.UTF8.GetBytes(options.Cname);
        JitterBufferOptions jitterBuffer = endpoint.Role == MixRole.Endpoint ? options.JitterBuffer : options.BackplaneJitterBuffer ?? options.JitterBuffer;
        Inbound = new InboundAudioStream(endpoint.Codec, endpoint.PayloadType, endpoint.TelephoneEventPayloadType, endpoint.TelephoneEventClockRate, jitterBuffer, endpoint.AudioLevelExtensionId);
        Outbound = RtpSendState.ForCodec(endpoint.Codec);
        if (endpoint.RemoteRtp is not null)
        {
            transport.SetRemote(endpoint.RemoteRtp, endpoint.RemoteRtcp);
        }
    }

    /// <summary>The participant's id in its conference's mixer.</summary>
    public MixerParticipantId Id { get; }

    public AudioCodec Codec { get; }

    public byte PayloadType { get; }

    public EncoderProfile Profile { get; }

    /// <summary>A call leg, or a backplane to another node (always mixed; see <see cref="MixRole"/>).</summary>
    public MixRole Role { get; }

    public ConferenceMedia Conference => _conference;

    /// <summary>The worker that receives, captures and sends this leg (its conference may span several).</summary>
    public MediaWorker Worker { get; }

    /// <summary>
    /// The participant's voice as the mixer sees it (level, speaking, mixed, levels trusted): a snapshot at most a tick
    /// old, safe to read from any thread. What the client API's stage event and voice switching read.
    /// </summary>
    public ParticipantSpeech Speech
    {
        get
        {
            if (_mix is not { } mix)
            {
                return new ParticipantSpeech(SilentDbfs, false, false, false);
            }

            double level = mix.SpeechLevel;
            double dbfs = level <= 1e-13 ? SilentDbfs : Math.Max(SilentDbfs, 10 * Math.Log10(level));
            bool trusted = Inbound.AudioLevelExtensionId is not null && Volatile.Read(ref _levelsDistrustedUntil) <= _conference.TickCount;
            return new ParticipantSpeech(dbfs, dbfs >= _conference.SilenceThresholdDbfs, mix.InSpeakerSet, trusted);
        }
    }

    /// <summary>The local RTP port to put in the SDP answer (RTCP is the next port).</summary>
    public int LocalRtpPort => Transport.LocalRtpPort;

    public int LocalRtcpPort => Transport.LocalRtcpPort;

    /// <summary>Where this participant's RTP is sent (from the SDP or learnt), null until known.</summary>
    public IPEndPoint? RemoteRtpEndPoint => Transport.RemoteRtpEndPoint;

    /// <summary>The SSRC of the stream we send to this participant.</summary>
    public uint OutboundSsrc => Outbound.Ssrc;

    internal IMediaTransport Transport { get; }

    internal InboundAudioStream Inbound { get; }

    internal RtpSendState Outbound { get; }

    /// <summary>The level <see cref="SpeechLevelDbfs"/> reports for silence (and <see cref="Speech"/> below its floor).</summary>
    public const double SilentDbfs = -130;

    /// <summary>This participant's speech level after the last tick, in dBFS (<see cref="Speech"/>'s level), for video voice switching; any thread.</summary>
    public double SpeechLevelDbfs => Speech.LevelDbfs;

    /// <summary>
    /// A muted participant still hears the conference, but its voice is left out of everyone's mix (its stream is still
    /// received, not decoded; on unmute the decoder is pre-rolled with the last packets, so it comes back at once and
    /// without a click). Read and written on the leg's worker only.
    /// </summary>
    internal bool Muted { get; private set; }

    public Task SetMutedAsync(bool muted) => Worker.InvokeAsync(() =>
    {
        Muted = muted;
        return true;
    });

    /// <summary>Points RTP at a new remote address (re-INVITE), applied on the worker before its next tick.</summary>
    public Task SetRemoteAsync(IPEndPoint remoteRtp, IPEndPoint? remoteRtcp = null)
    {
        ArgumentNullException.ThrowIfNull(remoteRtp);
        return Worker.InvokeAsync(() =>
        {
            Transport.SetRemote(remoteRtp, remoteRtcp);
            return true;
        });
    }

    public MediaParticipantStatistics GetStatistics()
    {
        RtpReceiveStatistics receive = Inbound.Statistics;
        return new MediaParticipantStatistics
        {
            PacketsReceived = receive.PacketsReceived,
            PacketsLost = receive.PacketsLost,
            JitterMs = receive.JitterMilliseconds,
            LatePackets = Inbound.JitterBuffer.LatePackets,
            DuplicatePackets = Inbound.JitterBuffer.DuplicatePackets,
            FecRecoveredFrames = Inbound.FecRecoveredFrames,
            ConcealedFrames = Inbound.ConcealedFrames,
            JitterBufferDelayMs = Inbound.JitterBuffer.TargetDelayFrames * AudioFormat.FrameMilliseconds,
            PacketsSent = Outbound.PacketCount,
            PayloadBytesSent = Outbound.OctetCount,
            DtmfDigits = Interlocked.Read(ref _dtmfDigits),
            RemoteFractionLost = _remoteFractionLost,
            RemoteJitterMs = _remoteJitterMs,
            RoundTripMs = double.IsNaN(_roundTripMs) ? null : _roundTripMs,
            RtcpPacketsReceived = _rtcpPacketsReceived,
            RemoteSaidGoodbye = _remoteSaidGoodbye,
            DecodedFrames = Inbound.DecodedFrames,
            DtxFrames = Inbound.DtxFrames,
            AudioLevelsReceived = Inbound.AudioLevelsReceived,
            MalformedHeaderExtensions = Inbound.MalformedHeaderExtensions,
        };
    }

    internal void AttachMixer(MixParticipant mix) => _mix = mix;

    /// <summary>
    /// Leg's worker: pulls this tick's frame for mix <paramref name="generation"/>. A frame whose sender told its level
    /// (and whose levels are trusted) is left undecoded for the mixer; others are decoded here, on the leg's worker.
    /// </summary>
    internal void Capture(long generation, long mixedGeneration)
    {
        _capturedGeneration = generation;
        _capturedKind = CapturedFrameKind.None;
        PeekedFrame peeked = Inbound.PeekFrame();
        if (peeked.Kind == PeekedFrameKind.Silent || Muted)
        {
            return; // muted: not decoded either; the pre-roll brings the decoder back on unmute
        }

        bool levelsTrusted = Inbound.AudioLevelExtensionId is not null && Volatile.Read(ref _levelsDistrustedUntil) <= mixedGeneration;
        if (levelsTrusted && peeked.Level is { } level && peeked.Kind == PeekedFrameKind.Packet)
        {
            _capturedKind = CapturedFrameKind.Level;
            _capturedLevel = level;
            return;
        }

        if (levelsTrusted && peeked.Kind == PeekedFrameKind.Missing && _mix is { InSpeakerSet: false })
        {
            return; // a lost packet of someone nobody hears: nothing to conceal
        }

        if (Inbound.DecodePeeked(_capturedFrame) != FrameSource.Silent)
        {
            _capturedKind = CapturedFrameKind.Decoded;
        }
    }

    /// <summary>Home worker: hands the mixer what <see cref="Capture"/> found for this generation.</summary>
    internal void SubmitCapturedFrame(ConferenceMixer mixer, long generation)
    {
        if (_capturedGeneration != generation)
        {
            return; // joined its shard after the capture
        }

        switch (_capturedKind)
        {
            case CapturedFrameKind.Decoded:
                mixer.SubmitFrame(Id, _capturedFrame);
                break;
            case CapturedFrameKind.Level:
                mixer.SubmitLevel(Id, _capturedLevel);
                break;
        }
    }

    /// <summary>Home worker: the mixer chose (or audits) this participant; decode the frame it was given by level.</summary>
    internal bool DecodePendingFrame(Span<short> frame) => Inbound.DecodePeeked(frame) != FrameSource.Silent;

    internal void DistrustLevelsUntil(long tick) => Volatile.Write(ref _levelsDistrustedUntil, tick);

    /// <summary>Home worker: this participant's output of mix <paramref name="generation"/>.</summary>
    internal void SetOutput(MixOutput output, long generation)
    {
        _output = output;
        _outputGeneration = generation;
    }

    /// <summary>Leg's worker: sends the output of mix <paramref name="generation"/>, if it has one.</summary>
    internal void SendOutputOf(long generation)
    {
        if (_output is { } output && _outputGeneration == generation)
        {
            Send(output.EncodedPayload);
        }
    }

    /// <summary>This leg's slot in its worker's readiness set, or −1.</summary>
    internal int ReadinessSlot { get; set; } = -1;

    /// <summary>Drains this participant's sockets into its inbound stream (worker thread).</summary>
    internal void Receive(Span<byte> buffer, SocketAddress source, long now)
    {
        ReceiveRtp(buffer, source, now);
        ReceiveRtcp(buffer, source, now);
    }

    /// <summary>Drains the RTP socket (worker thread).</summary>
    internal void ReceiveRtp(Span<byte> buffer, SocketAddress source, long now)
    {
        int received;
        while ((received = Transport.TryReceiveRtp(buffer, source)) >= 0)
        {
            InboundPacketKind kind = Inbound.OnPacket(buffer[..received], now, out DtmfDigit digit);
            if (kind is InboundPacketKind.Audio or InboundPacketKind.DtmfDigit or InboundPacketKind.TelephoneEvent)
            {
                Transport.ConfirmRtpSource(source);
            }

            if (kind == InboundPacketKind.DtmfDigit)
            {
                RaiseDtmf(digit);
            }
        }
    }

    /// <summary>Drains the RTCP socket (worker thread).</summary>
    internal void ReceiveRtcp(Span<byte> buffer, SocketAddress source, long now)
    {
        int received;
        while ((received = Transport.TryReceiveRtcp(buffer, source)) >= 0)
        {
            if (OnRtcp(buffer[..received], now))
            {
                Transport.ConfirmRtcpSource(source);
            }
        }
    }

    /// <summary>Sends this tick's payload as the next RTP packet of our stream (worker thread).</summary>
    internal void Send(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty || !Transport.HasRemote)
        {
            Outbound.SkipFrame();
            return;
        }

        // The payload bytes are shared by a whole codec group; the header is ours. One small copy per listener is
        // cheaper than a scatter/gather send through the socket API, which .NET only offers allocating.
        Span<byte> packet = _sendBuffer;
        int header = Outbound.WriteNextHeader(packet, PayloadType, payload.Length);
        payload.CopyTo(packet[header..]);
        Transport.SendRtp(packet[..(header + payload.Length)]);
    }

    /// <summary>Sends an SR with a report block on the incoming stream, plus SDES CNAME, when one is due (worker thread).</summary>
    internal void SendRtcpIfDue(long now, long meanIntervalTicks)
    {
        if (now < _nextRtcpDue)
        {
            return;
        }

        // RFC 3550 §6.3.1: randomise the interval over [0.5, 1.5] × mean so reports from many legs do not synchronise.
        _nextRtcpDue = now + (long)(meanIntervalTicks * (0.5 + Random.Shared.NextDouble()));
        if (Outbound.PacketCount == 0)
        {
            return;
        }

        Transport.SendRtcp(ComposeReport(now, goodbye: false));
    }

    /// <summary>Tells the remote our stream ends (RTCP BYE after a final report), before the sockets close (worker thread).</summary>
    internal void SendGoodbye(long now)
    {
        if (Outbound.PacketCount > 0)
        {
            Transport.SendRtcp(ComposeReport(now, goodbye: true));
        }
    }

    /// <summary>SR (with a report block on the incoming stream once there is one) + SDES CNAME (+ BYE).</summary>
    private ReadOnlySpan<byte> ComposeReport(long now, bool goodbye)
    {
        var writer = new RtcpWriter(_rtcpBuffer);
        var sender = new RtcpSenderInfo(Outbound.Ssrc, RtcpSenderInfo.ToNtp(DateTimeOffset.UtcNow), Outbound.LastTimestamp, (uint)Outbound.PacketCount, (uint)Outbound.OctetCount);
        RtpReceiveStatistics receive = Inbound.Statistics;
        if (receive.HasSource)
        {
            uint delay = _lastSenderReportCompactNtp == 0 ? 0 : (uint)((now - _lastSenderReportArrival) * 65536.0 / Stopwatch.Frequency);
            _reportBlock[0] = new RtcpReportBlock(receive.Ssrc, receive.TakeFractionLost(), receive.ReportedCumulativeLost,
                (uint)receive.ExtendedHighestSequence, receive.ReportedJitter, _lastSenderReportCompactNtp, delay);
            writer.WriteSenderReport(sender, _reportBlock);
        }
        else
        {
            writer.WriteSenderReport(sender, []);
        }

        writer.WriteSourceDescriptionCname(Outbound.Ssrc, _cname);
        if (goodbye)
        {
            _goodbyeSsrc[0] = Outbound.Ssrc;
            writer.WriteGoodbye(_goodbyeSsrc);
        }

        return _rtcpBuffer.AsSpan(0, writer.Written);
    }

    private bool OnRtcp(ReadOnlySpan<byte> compound, long now)
    {
        if (!RtcpCompoundReader.IsValidCompound(compound))
        {
            return false;
        }

        _rtcpPacketsReceived++;
        var reader = new RtcpCompoundReader(compound);
        while (reader.TryReadNext(out RtcpPacket packet))
        {
            if (packet.TryGetSenderInfo(out RtcpSenderInfo sender))
            {
                _lastSenderReportCompactNtp = sender.CompactNtp;
                _lastSenderReportArrival = now;
            }

            for (int i = 0; i < packet.ReportBlockCount; i++)
            {
                RtcpReportBlock block = packet.GetReportBlock(i);
                if (block.Ssrc == Outbound.Ssrc)
                {
                    OnReportAboutUs(block);
                }
            }

            if (packet.Type == RtcpPacketType.Goodbye)
            {
                _remoteSaidGoodbye = true;
            }
        }

        return true;
    }

    private void OnReportAboutUs(RtcpReportBlock block)
    {
        _remoteFractionLost = block.FractionLostRatio;
        _remoteJitterMs = block.Jitter * 1000.0 / Outbound.ClockRate;
        if (block.LastSenderReport != 0)
        {
            // RFC 3550 §6.4.1: RTT = A − LSR − DLSR, all in 1/65536 s (middle 32 bits of NTP).
            uint arrival = (uint)(RtcpSenderInfo.ToNtp(DateTimeOffset.UtcNow) >> 16);
            uint rtt = arrival - block.LastSenderReport - block.DelaySinceLastSenderReport;
            if (rtt < 65536 * 10)
            {
                _roundTripMs = rtt * 1000.0 / 65536;
            }
        }
    }

    private void RaiseDtmf(DtmfDigit digit)
    {
        Interlocked.Increment(ref _dtmfDigits);
        if (_dtmfReceived is { } handler)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Handler(state.Participant, state.Digit), (Handler: handler, Participant: this, Digit: digit), preferLocal: false);
        }
    }
}
