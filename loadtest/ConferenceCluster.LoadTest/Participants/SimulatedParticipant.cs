using System.Net;
using System.Net.Sockets;
using ConferenceCluster.LoadTest.Audio;
using ConferenceCluster.LoadTest.Running;
using ConferenceCluster.Media.Codecs.G711;
using ConferenceCluster.Media.Codecs.Opus;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.UserAgent;
using ConferenceCluster.Sip.Uris;

namespace ConferenceCluster.LoadTest.Participants;

/// <summary>
/// One simulated conference participant: a real SIP call through the run's <see cref="LoadTestSipAgent"/> and real
/// RTP on a UDP port of its own. It sends pre-encoded G.711 or Opus every 20 ms on the shared <see cref="MediaPacer"/>
/// (its tone while it talks, by the run's <see cref="TalkSchedule"/>; digital silence otherwise, or Opus DTX, with RFC
/// 6464 levels when the answer accepted them), keys its PIN as RFC 4733 events when the room asks,
/// answers re-INVITEs by moving its RTP, and listens: every packet of the mix is decoded and the talkers' tones
/// measured per window (<see cref="ToneWindowAnalyzer"/>), so the report can tell whether it heard whom it
/// should and never itself. It may join, leave and join again (churn); each join is a new call and a new port.
/// </summary>
public sealed class SimulatedParticipant : IPacedSender
{
    /// <summary>A silence between two packets longer than this (5 frames) counts as a media gap.</summary>
    public const double MediaGapThresholdMs = 100;

    /// <summary>8 frames (160 ms): whole frames keep the 50 Hz tones orthogonal, and short windows follow talkers coming and going.</summary>
    public const int WindowSamples = 8 * PcmuFrames.SamplesPerFrame;

    private const int DtmfPacketsPerDigit = 6; // 3 updates + 3 end packets (RFC 4733 2.5.1.4)
    private const int DtmfPauseFrames = 3;

    private readonly object _sync = new();
    private readonly LoadTestSipAgent _agent;
    private readonly MediaPacer _pacer;
    private readonly RunClock _clock;
    private readonly ParticipantSettings _settings;
    private readonly byte[][][] _toneLoops; // [tone index][frame of the loop]: shared pre-encoded frames
    private readonly byte[][] _silenceLoop;
    private readonly int _samplesPerFrame;
    private readonly int _dtxPhase;
    private readonly byte[] _sendBuffer = new byte[RtpHeader.FixedLength + 8 + 1500];
    private readonly List<JoinAttempt> _attempts = [];
    private readonly List<MediaSession> _sessions = [];
    private readonly List<HeardWindow> _windows = [];
    private readonly ReceiveTotals _totals = new();
    private readonly Queue<char> _digits = new();
    private readonly List<SipCallEndReason> _endedEarly = [];
    private readonly uint _ssrc = (uint)Random.Shared.Next();

    // Set on join, read by the pacer and receive threads.
    private volatile Socket? _socket;
    private volatile IPEndPoint? _remote;
    private volatile RemoteAudio? _remoteAudio;
    private volatile MediaSession? _session;
    private SipCall? _call;
    private Task _receiving = Task.CompletedTask;
    private TaskCompletionSource? _admitted;
    private byte _telephoneEventPayloadType = AudioSdp.DefaultTelephoneEventPayloadType;
    private ulong _sdpVersion;
    private int _reInvitesAnswered;
    private int _mediaMoves;
    private int _digitsSent;

    // Pacer thread only.
    private ushort _sequence = (ushort)Random.Shared.Next();
    private uint _timestamp = (uint)Random.Shared.Next();
    private bool _markNext = true;
    private char? _eventDigit;
    private int _eventPacket;
    private uint _eventTimestamp;
    private int _pauseFrames;
    private long _frameIndex;

    public SimulatedParticipant(ParticipantPlan plan, LoadTestSipAgent agent, MediaPacer pacer, RunClock clock, ParticipantSettings settings)
    {
        Plan = plan;
        _agent = agent;
        _pacer = pacer;
        _clock = clock;
        _settings = settings;
        var opus = settings.Codec == LoadCodec.Opus;
        _samplesPerFrame = opus ? OpusFrames.SamplesPerFrame : PcmuFrames.SamplesPerFrame;
        _toneLoops = plan.TalkerTonesHz.Select(hz => opus ? OpusFrames.Tone(hz) : [PcmuFrames.Tone(hz)]).ToArray();
        _silenceLoop = opus ? OpusFrames.Silence : [PcmuFrames.Silence];
        _dtxPhase = plan.Index % OpusFrames.DtxIntervalFrames; // silent senders' DTX packets spread over the 400 ms
    }

    public ParticipantPlan Plan { get; }

    /// <summary>In a call now (PIN entry or conference).</summary>
    public bool IsInCall
    {
        get
        {
            lock (_sync) return _call is not null;
        }
    }

    /// <summary>In the conference with media flowing now.</summary>
    public bool IsInConference => _session is not null;

    public IReadOnlyList<JoinAttempt> Attempts
    {
        get
        {
            lock (_sync) return _attempts.ToArray();
        }
    }

    public IReadOnlyList<MediaSession> Sessions
    {
        get
        {
            lock (_sync) return _sessions.ToArray();
        }
    }

    public IReadOnlyList<HeardWindow> Windows
    {
        get
        {
            lock (_sync) return _windows.ToArray();
        }
    }

    public ReceiveTotals Totals
    {
        get
        {
            lock (_sync) return _totals;
        }
    }

    public int ReInvitesAnswered => Volatile.Read(ref _reInvitesAnswered);

    public int MediaMoves => Volatile.Read(ref _mediaMoves);

    /// <summary>Calls that ended without our hanging up (the far end's BYE, or an ACK or re-INVITE failure), with why.</summary>
    public IReadOnlyList<SipCallEndReason> EndedEarly
    {
        get
        {
            lock (_sync) return _endedEarly.ToArray();
        }
    }

    public int DigitsSent => Volatile.Read(ref _digitsSent);

    /// <summary>
    /// Calls the conference. Returns the attempt (also kept in <see cref="Attempts"/>). On success the participant
    /// is sending and listening until <see cref="LeaveAsync"/> or the far end hangs up.
    /// </summary>
    public async Task<JoinAttempt> JoinAsync(CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            if (_call is not null || _socket is not null) throw new InvalidOperationException($"Participant {Plan.Index} is already in a call.");
        }
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(_settings.BindAddress, 0));
        var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        _socket = socket;
        var offer = AudioSdp.CreateOffer(_settings.AdvertisedAddress, port, Plan.Index, ++_sdpVersion, _settings.Codec, _settings.AudioLevels);
        var started = _clock.NowMs;
        OutgoingCallResult result;
        try
        {
            result = await _agent.InviteAsync(new OutgoingCallRequest
            {
                RequestUri = Plan.RequestUri,
                NextHop = Plan.NextHop,
                From = new SipNameAddress(SipUri.Create(_settings.AdvertisedAddress, $"loadtest-{Plan.Index}"), $"Load test {Plan.Index}"),
                SdpOffer = offer,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            CloseSocket();
            throw;
        }
        var latency = _clock.NowMs - started;
        if (!result.IsSuccess || result.Call is not { } call || !AudioSdp.TryReadRemote(result.AnswerSdp, out RemoteAudio? answered))
        {
            CloseSocket();
            if (result.Call is { } unusable) await HangUpQuietlyAsync(unusable).ConfigureAwait(false);
            var status = result.IsSuccess ? 488 : result.StatusCode; // a 2xx without a usable answer is no join
            var cancelledByUs = status == 487 && cancellationToken.IsCancellationRequested;
            return Record(new JoinAttempt(started, latency, status, result.IsSuccess ? "No usable SDP answer" : result.ReasonPhrase, result.RetryAfter, false,
                cancelledByUs));
        }

        var pinEntry = Plan.Pin is not null;
        var admission = pinEntry ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
        lock (_sync)
        {
            _call = call;
            _telephoneEventPayloadType = answered!.TelephoneEventPayloadType;
            _admitted = admission;
        }
        _agent.Attach(call, this);
        _remoteAudio = answered;
        _remote = answered.Rtp;
        lock (_sync) _receiving = ReceiveLoopAsync(socket, started);
        if (!pinEntry) StartSession();
        _pacer.Add(this);
        if (call.State == SipCallState.Ended) OnCallEnded(call, call.EndReason ?? SipCallEndReason.RemoteHangUp);
        if (admission is null) return Record(new JoinAttempt(started, latency, result.StatusCode, result.ReasonPhrase, null, true));

        // The PIN entry screen (R-PIN-3, L6890): let the prompt start, key the PIN and '#', then wait for the
        // re-INVITE into the conference. The far end hanging up, or the run ending, ends the wait unadmitted.
        var admitted = false;
        try
        {
            await Task.Delay(_settings.PinDelay, cancellationToken).ConfigureAwait(false);
            lock (_sync)
            {
                foreach (var digit in Plan.Pin! + "#") _digits.Enqueue(digit);
            }
            await admission.Task.WaitAsync(_settings.AdmissionTimeout, cancellationToken).ConfigureAwait(false);
            admitted = true;
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
        }
        return Record(new JoinAttempt(started, latency, result.StatusCode, admitted ? result.ReasonPhrase : "PIN entry not admitted", null, admitted));
    }

    /// <summary>Hangs up (BYE) if in a call and stops the media; waits at most <paramref name="timeout"/> for the BYE's answer and the receive loop.</summary>
    public async Task LeaveAsync(TimeSpan timeout)
    {
        SipCall? call;
        lock (_sync)
        {
            call = _call;
            _call = null;
        }
        StopMedia();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            if (call is not null)
            {
                _agent.Detach(call);
                await call.HangUpAsync(limit.Token).ConfigureAwait(false);
            }
            // The receive loop folds its last statistics when its socket closes: wait, so the report sees them.
            Task receiving;
            lock (_sync) receiving = _receiving;
            await receiving.WaitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The BYE is still retried by its transaction; the run does not wait for it.
        }
    }

    private JoinAttempt Record(JoinAttempt attempt)
    {
        lock (_sync) _attempts.Add(attempt);
        return attempt;
    }

    private void StartSession()
    {
        var session = new MediaSession { StartMs = _clock.NowMs };
        lock (_sync) _sessions.Add(session);
        _session = session;
    }

    private void StopMedia()
    {
        _pacer.Remove(this);
        var session = _session;
        _session = null;
        if (session is not null)
        {
            lock (_sync) session.EndMs ??= _clock.NowMs;
        }
        CloseSocket();
    }

    private void CloseSocket()
    {
        var socket = _socket;
        _socket = null;
        _remote = null;
        socket?.Dispose();
    }

    private static async Task HangUpQuietlyAsync(SipCall call)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await call.HangUpAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    // ---- signalling from the agent ----

    /// <summary>
    /// A re-INVITE: the conference moves our media (to its media node after the PIN, or to another node). The answer
    /// keeps our port; RTP goes to the new address from the next frame on.
    /// </summary>
    internal ReInviteDecision OnReInvite(ReadOnlyMemory<byte> offer)
    {
        if (!AudioSdp.TryReadRemote(offer, out RemoteAudio? offered)) return ReInviteDecision.Reject(488);
        var remote = offered!.Rtp;
        var eventPayloadType = offered.TelephoneEventPayloadType;
        var socket = _socket;
        if (socket is null) return ReInviteDecision.Reject(481);
        TaskCompletionSource? admitted;
        lock (_sync)
        {
            _telephoneEventPayloadType = eventPayloadType;
            admitted = _admitted;
            _admitted = null;
        }
        var moved = _remote is { } old && !old.Equals(remote);
        _remoteAudio = offered;
        _remote = remote;
        Interlocked.Increment(ref _reInvitesAnswered);
        if (admitted is not null)
        {
            StartSession();
            admitted.TrySetResult();
        }
        else if (moved)
        {
            Interlocked.Increment(ref _mediaMoves);
        }
        var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        return ReInviteDecision.Accept(AudioSdp.CreateOffer(_settings.AdvertisedAddress, port, Plan.Index, ++_sdpVersion, _settings.Codec, _settings.AudioLevels));
    }

    internal void OnCallEnded(SipCall call, SipCallEndReason reason)
    {
        lock (_sync)
        {
            if (!ReferenceEquals(_call, call)) return; // we hung up: LeaveAsync did the rest
            _call = null;
            _admitted?.TrySetCanceled();
            _admitted = null;
            _endedEarly.Add(reason);
        }
        _agent.Detach(call);
        StopMedia();
    }

    // ---- sending (pacer thread) ----

    public void OnFrame()
    {
        var socket = _socket;
        var remote = _remote;
        if (socket is null || remote is null) return;
        int length;
        if (_eventDigit is null && _pauseFrames == 0 && TryTakeDigit(out var digit))
        {
            _eventDigit = digit;
            _eventPacket = 0;
            _eventTimestamp = _timestamp;
        }
        if (_eventDigit is { } key)
        {
            length = WriteDtmfPacket(key);
            if (++_eventPacket == DtmfPacketsPerDigit)
            {
                _eventDigit = null;
                _pauseFrames = DtmfPauseFrames;
                _markNext = true;
                Interlocked.Increment(ref _digitsSent);
            }
        }
        else
        {
            if (_pauseFrames > 0) _pauseFrames--;
            length = WriteVoicePacket();
        }
        _timestamp += (uint)_samplesPerFrame;
        _frameIndex++;
        if (length == 0) return; // DTX: nothing this frame
        try
        {
            socket.SendTo(_sendBuffer.AsSpan(0, length), SocketFlags.None, remote);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Closed by a leave on another thread, or ICMP noise: the next frame tries again.
        }
    }

    /// <summary>This frame's voice packet: the talker tone of the moment, or silence (nothing at all between Opus DTX packets).</summary>
    private int WriteVoicePacket()
    {
        var audio = _remoteAudio;
        var tone = _settings.Talk?.ToneAt(Plan, _clock.NowMs) ?? (Plan.IsTalker ? Plan.Slot : -1);
        byte[] payload;
        AudioLevel level;
        if (tone >= 0 && tone < _toneLoops.Length)
        {
            var loop = _toneLoops[tone];
            payload = loop[_frameIndex % loop.Length];
            level = OpusFrames.ToneLevel;
        }
        else
        {
            if (_settings.Codec == LoadCodec.Opus && _settings.Dtx)
            {
                if (_frameIndex % OpusFrames.DtxIntervalFrames != _dtxPhase) return 0;
                payload = OpusFrames.Dtx;
            }
            else
            {
                payload = _silenceLoop[_frameIndex % _silenceLoop.Length];
            }
            level = OpusFrames.SilenceLevel;
        }

        var payloadType = _settings.Codec == LoadCodec.Opus ? audio?.AudioPayloadType ?? AudioSdp.OpusPayloadType : PcmuFrames.PayloadType;
        var header = RtpHeader.WriteFixed(_sendBuffer, _markNext, payloadType, _sequence++, _timestamp, _ssrc);
        _markNext = false;
        if (_settings.Codec == LoadCodec.Opus && audio?.AudioLevelExtensionId is byte id)
        {
            _sendBuffer[0] |= 0x10;
            Span<byte> element = [level.ToByte()];
            header += RtpHeaderExtensions.WriteOneByte(_sendBuffer.AsSpan(header), id, element);
        }
        payload.CopyTo(_sendBuffer.AsSpan(header));
        return header + payload.Length;
    }

    private bool TryTakeDigit(out char digit)
    {
        lock (_sync) return _digits.TryDequeue(out digit);
    }

    /// <summary>RFC 4733 2.5: one event keeps its start timestamp; three updates with growing duration, then three end packets.</summary>
    private int WriteDtmfPacket(char digit)
    {
        var end = _eventPacket >= 3;
        var duration = (ushort)(Math.Min(_eventPacket + 1, 4) * PcmuFrames.SamplesPerFrame); // telephone-event/8000
        var header = RtpHeader.WriteFixed(_sendBuffer, _eventPacket == 0, _telephoneEventPayloadType, _sequence++, _eventTimestamp, _ssrc);
        var payload = new TelephoneEvent(EventCodeOf(digit), end, 10, duration).Write(_sendBuffer.AsSpan(header));
        return header + payload;
    }

    private static byte EventCodeOf(char digit) => digit switch
    {
        >= '0' and <= '9' => (byte)(digit - '0'),
        '*' => 10,
        '#' => 11,
        >= 'A' and <= 'D' => (byte)(12 + digit - 'A'),
        _ => throw new ArgumentOutOfRangeException(nameof(digit), digit, "Not a DTMF key."),
    };

    // ---- receiving ----

    private async Task ReceiveLoopAsync(Socket socket, double inviteSentMs)
    {
        var buffer = new byte[2048];
        var pcm = new short[PcmuFrames.SamplesPerFrame];
        // Opus is decoded at 8 kHz: every talker tone lies below 4 kHz, and it costs the load generator far less.
        var opus = _settings.Codec == LoadCodec.Opus;
        using var decoder = opus ? OpusCodecs.CreateDecoder(PcmuFrames.SampleRate, 1) : null;
        var rtpClockRate = opus ? OpusFrames.SampleRate : PcmuFrames.SampleRate;
        // A conference without talkers has nothing to listen for; the rest of the checks still run.
        var analyzer = Plan.TalkerTonesHz.Count == 0 ? null : new ToneWindowAnalyzer(Plan.TalkerTonesHz, PcmuFrames.SampleRate, WindowSamples,
            _settings.PresentRatio * PcmuFrames.ToneAmplitude, _settings.AbsentRatio * PcmuFrames.ToneAmplitude);
        RtpReceiveStatistics? statistics = null;
        MediaSession? analysedSession = null;
        ushort expectedSequence = 0;
        double lastArrival = 0;
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (true)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused)
            {
                continue; // ICMP port unreachable from an earlier send
            }
            catch (SocketException)
            {
                break;
            }
            var packet = buffer.AsSpan(0, received.ReceivedBytes);
            if (!RtpHeader.TryParse(packet, out var header)) continue;
            if (opus ? header.PayloadType != (_remoteAudio?.AudioPayloadType ?? AudioSdp.OpusPayloadType) || header.PayloadLength == 0
                : header.PayloadType != PcmuFrames.PayloadType || header.PayloadLength != PcmuFrames.SamplesPerFrame) continue;
            var session = _session;
            if (session is null) continue; // PIN entry prompts, or leaving
            var now = _clock.NowMs;
            if (!ReferenceEquals(session, analysedSession) || statistics is null || statistics.Ssrc != header.Ssrc)
            {
                // A new session or a new source (media moved): fresh statistics, no partial window carried over.
                Fold(statistics);
                statistics = new RtpReceiveStatistics(rtpClockRate);
                analyzer?.Reset();
                decoder?.ResetState();
                if (!ReferenceEquals(session, analysedSession))
                {
                    lock (_sync) session.TimeToFirstAudioMs ??= now - inviteSentMs;
                    analysedSession = session;
                }
                lastArrival = now;
                expectedSequence = header.SequenceNumber;
            }
            statistics.Update(header.Ssrc, header.SequenceNumber, header.Timestamp, (long)(now * rtpClockRate / 1000));
            if (now - lastArrival > MediaGapThresholdMs)
            {
                lock (_sync)
                {
                    _totals.MediaGaps++;
                    _totals.LongestGapMs = Math.Max(_totals.LongestGapMs, now - lastArrival);
                }
            }
            lastArrival = now;
            if (header.SequenceNumber != expectedSequence) analyzer?.Reset(); // a lost or reordered packet: the window would lie
            expectedSequence = (ushort)(header.SequenceNumber + 1);
            if (analyzer is null) continue;
            if (decoder is not null)
            {
                // A packet that decodes to other than one 20 ms frame (corrupt, DTX) spoils the window: start a new one.
                int samples;
                try
                {
                    samples = decoder.Decode(header.PayloadOf(packet), pcm, pcm.Length, false);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    samples = -1;
                }
                if (samples != pcm.Length)
                {
                    analyzer.Reset();
                    continue;
                }
            }
            else
            {
                G711MuLaw.Decode(header.PayloadOf(packet), pcm);
            }
            if (analyzer.Add(pcm) is { } window)
            {
                lock (_sync) _windows.Add(new HeardWindow(now, window));
            }
        }
        Fold(statistics);
    }

    private void Fold(RtpReceiveStatistics? statistics)
    {
        if (statistics is null || !statistics.HasSource) return;
        lock (_sync)
        {
            _totals.PacketsReceived += statistics.PacketsReceived;
            _totals.PacketsLost += Math.Max(0, statistics.PacketsLost);
            _totals.JitterMs.Add(statistics.JitterMilliseconds);
        }
    }
}

/// <summary>What every participant of a run shares: where its RTP lives and how it judges what it hears.</summary>
public sealed record ParticipantSettings
{
    /// <summary>The local address RTP sockets bind to.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The address written in SDP and the From URI (reachable by the cluster).</summary>
    public string AdvertisedAddress { get; init; } = "127.0.0.1";

    /// <summary>Pause after the PIN entry screen answers before keying the PIN (the prompt starts playing).</summary>
    public TimeSpan PinDelay { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How long after keying the PIN the re-INVITE into the conference may take.</summary>
    public TimeSpan AdmissionTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>A tone counts as heard from this fraction of the amplitude it was sent with (−10.5 dB).</summary>
    public double PresentRatio { get; init; } = 0.3;

    /// <summary>A tone counts as absent below this fraction of the amplitude it was sent with (−26 dB); in between the window is wrong.</summary>
    public double AbsentRatio { get; init; } = 0.05;

    /// <summary>The voice codec offered and sent.</summary>
    public LoadCodec Codec { get; init; } = LoadCodec.Pcmu;

    /// <summary>Opus: offer and send RFC 6464 levels.</summary>
    public bool AudioLevels { get; init; }

    /// <summary>Opus: silent participants use DTX.</summary>
    public bool Dtx { get; init; }

    /// <summary>Who talks when; null: the plan's talkers talk all the time.</summary>
    public TalkSchedule? Talk { get; init; }
}
