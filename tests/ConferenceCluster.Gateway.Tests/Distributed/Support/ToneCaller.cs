using System.Buffers.Binary;
using System.Net;
using ConferenceCluster.Gateway.Tests.Support;
using ConferenceCluster.Media.Codecs.G711;
using ConferenceCluster.Media.Tests.Video.Support;

namespace ConferenceCluster.Gateway.Tests.Distributed.Support;

/// <summary>
/// A SIP UA over real UDP that talks a pure tone of its own frequency into a conference (PCMU, 20 ms packets, from
/// the port its SDP offer names, as a symmetric RTP endpoint) and keeps everything it hears, decoded, with the
/// arrival time, so a test can ask how loud each other caller's tone was in a stretch of audio. With a
/// <see cref="VideoTestEndpoint"/> it is a video phone too: its offer has an m=video line (VP8) on the endpoint's ports,
/// and the endpoint is pointed at the video the answer names (the test steps it).
/// </summary>
internal sealed class ToneCaller : IAsyncDisposable
{
    /// <summary>Every caller talks at this level (of full scale): five or six of them mixed stay well clear of clipping.</summary>
    public const double Amplitude = 0.1;

    private const int SampleRate = 8000;
    private const int FrameSamples = 160;
    /// <summary>Bounds the sender: no test call talks longer than this.</summary>
    private static readonly TimeSpan MaxTalk = TimeSpan.FromSeconds(90);

    private readonly RawSipClient _sip;
    /// <summary>Where it sends and hears RTP now; earlier sinks stay, so what it heard before a move still counts.</summary>
    private readonly List<RtpSink> _sinks = [new()];
    private readonly CancellationTokenSource _stop = new();
    private readonly string _invite;
    private Task _talking = Task.CompletedTask;
    private string? _ok;
    private int _cseq = 1;
    /// <summary>The o= version of our next offer (RFC 3264 §8: each new offer counts up).</summary>
    private int _sdpVersion = 1;
    private volatile bool _quiet;

    private RtpSink Rtp
    {
        get { lock (_sinks) return _sinks[^1]; }
    }

    private ToneCaller(string name, double frequency, int serverSipPort, VideoTestEndpoint? video, bool quiet)
    {
        Name = name;
        Frequency = frequency;
        Video = video;
        _quiet = quiet;
        _sip = new RawSipClient(serverSipPort);
        _invite = _sip.Invite("meet", $"{name}-{Guid.NewGuid():N}@tone", Offer(Rtp.Port, video), fromTag: name);
    }

    /// <summary>Its video phone, while its call has video (the test steps it; null for an audio-only caller).</summary>
    public VideoTestEndpoint? Video { get; private set; }

    private string Offer(int audioPort, VideoTestEndpoint? video, bool videoDisabled = false) =>
        RawSipClient.AudioOffer(audioPort, "0", "0 PCMU/8000").Replace("o=tester 1 1", $"o=tester 1 {_sdpVersion++}", StringComparison.Ordinal) +
        (video is not null ? RawSipClient.VideoOffer(video.RtpEndPoint.Port, video.RtcpEndPoint.Port) : videoDisabled ? "m=video 0 RTP/AVPF 96\r\na=rtpmap:96 VP8/90000\r\n" : "");

    /// <summary>Points the video phone at the video the answer names (its leg, or the proxy's relay), RTCP on the next port.</summary>
    private static void PointVideo(VideoTestEndpoint video, string answer)
    {
        var target = SipText.VideoOf(answer) ?? throw new Xunit.Sdk.XunitException($"{video.Name}: the answer refused video:\n{answer}");
        video.Server = target;
        video.ServerRtcp = new IPEndPoint(target.Address, target.Port + 1);
    }

    public string Name { get; }

    public double Frequency { get; }

    /// <summary>The SIP port the caller signals from: the conference status shows it as the participant's remote address.</summary>
    public int SipPort => _sip.LocalPort;

    /// <summary>Where the answer told it to send its media: the media node's leg, or the relay of a proxying node.</summary>
    public IPEndPoint? MediaTarget { get; private set; }

    /// <summary>Dials the conference's alias at the given silo's SIP port; answered and talking (unless <paramref name="quiet"/>) when it returns.</summary>
    /// <param name="video">A video phone: the call offers VP8 video on its ports.</param>
    public static async Task<ToneCaller> CallAsync(string name, double frequency, int serverSipPort, VideoTestEndpoint? video = null, bool quiet = false)
    {
        var caller = new ToneCaller(name, frequency, serverSipPort, video, quiet);
        try
        {
            var response = await caller._sip.RequestAsync(caller._invite, TimeSpan.FromSeconds(10));
            Assert.True(SipText.StatusCode(response ?? "") == 200, $"{name}'s INVITE was not answered with 200 OK:\n{response}");
            caller._ok = response!;
            await caller._sip.AckAsync(caller._invite, response!);
            caller.MediaTarget = SipText.AudioOf(response!).Rtp;
            if (video is not null) PointVideo(video, response!);
            caller._talking = Task.Run(caller.TalkAsync);
            return caller;
        }
        catch
        {
            await caller.DisposeAsync();
            throw;
        }
    }

    private async Task TalkAsync()
    {
        var packet = new byte[12 + FrameSamples];
        var pcm = new short[FrameSamples];
        packet[0] = 0x80;
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), (uint)Frequency);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var maxFrames = (int)(MaxTalk.TotalMilliseconds / 20);
        for (var frame = 0; frame < maxFrames && !_stop.IsCancellationRequested; frame++)
        {
            for (var i = 0; i < FrameSamples; i++)
                pcm[i] = (short)(Amplitude * short.MaxValue * Math.Sin(2 * Math.PI * Frequency * (frame * FrameSamples + i) / SampleRate));
            G711MuLaw.Encode(pcm, packet.AsSpan(12));
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)frame);
            BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), (uint)(frame * FrameSamples));
            if (!_quiet) await Rtp.SendAsync(packet, MediaTarget!);
            try
            {
                if (!await timer.WaitForNextTickAsync(_stop.Token)) return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// How loud <paramref name="frequency"/> was in what this caller heard between two moments, in the units of
    /// <see cref="Amplitude"/> (Goertzel over the concatenated PCMU audio; a tone heard once measures about
    /// <see cref="Amplitude"/>, twice by two paths up to twice that).
    /// </summary>
    public double LevelOf(double frequency, DateTime from, DateTime to)
    {
        var samples = Heard(from, to);
        if (samples.Length < FrameSamples) return 0;
        return 2 * Math.Sqrt(Audio.Goertzel(samples, SampleRate, frequency)) / short.MaxValue;
    }

    /// <summary>
    /// When <paramref name="frequency"/> came back after a gap that started after <paramref name="since"/>: the end of
    /// the first <paramref name="window"/> of audio at full level following one in which it was all but gone. Null
    /// while it has not gone or not come back.
    /// </summary>
    public DateTime? CameBackAt(double frequency, DateTime since, TimeSpan window)
    {
        var step = window / 2;
        var gone = false;
        for (var from = since; from + window <= DateTime.UtcNow; from += step)
        {
            var level = LevelOf(frequency, from, from + window) / Amplitude;
            if (!gone) gone = level < HearingMatrix.SilentAtMost * 2;
            else if (level >= HearingMatrix.OnceAtLeast) return from + window;
        }
        return null;
    }

    /// <summary>
    /// The longest stretch between two moments in which <paramref name="frequency"/> was missing from what this caller
    /// heard (below half its level), to within 20 ms: 40 ms windows every 20 ms; a window is quiet when more than
    /// half of it is, so a run of quiet windows spans the gap from its first window's middle to its last one's, plus
    /// one step. Zero when it never went.
    /// </summary>
    public TimeSpan LongestGap(double frequency, DateTime from, DateTime to)
    {
        var window = TimeSpan.FromMilliseconds(40);
        var step = TimeSpan.FromMilliseconds(20);
        TimeSpan longest = TimeSpan.Zero;
        DateTime? quietSince = null;
        for (var t = from; t + window <= to; t += step)
        {
            var quiet = LevelOf(frequency, t, t + window) / Amplitude < 0.5;
            if (quiet) quietSince ??= t;
            else quietSince = null;
            if (quietSince is { } start && t + step - start > longest) longest = t + step - start;
        }
        return longest;
    }

    /// <summary>Audio heard between two moments (PCMU packets in arrival order).</summary>
    public short[] Heard(DateTime from, DateTime to) =>
        Sinks.SelectMany(s => s.Packets).Where(p => p.PayloadType == 0 && p.ReceivedAt >= from && p.ReceivedAt < to)
            .SelectMany(p => p.Payload.Select(Audio.DecodeMuLaw)).ToArray();

    /// <summary>True once the conference (or the relay) sends this caller anything.</summary>
    private List<RtpSink> Sinks
    {
        get { lock (_sinks) return [.. _sinks]; }
    }

    /// <summary>Packets that reached its current RTP port (after a move: only those the media node sent there).</summary>
    public int PacketsAtCurrentPort => Rtp.Packets.Count;

    /// <summary>Stops or resumes sending RTP (the tone's phase runs on, as a muted microphone's clock does).</summary>
    public bool Quiet
    {
        get => _quiet;
        set => _quiet = value;
    }

    /// <summary>
    /// Moves its media to a new local port with a re-INVITE on the existing dialog (RFC 3261 14): from now on it sends
    /// from and listens on the new port. Returns the final response.
    /// </summary>
    public async Task<string?> MoveMediaAsync()
    {
        // As a UA does: it listens and talks on the port it offers from the moment it offers it.
        var sink = new RtpSink();
        lock (_sinks) _sinks.Add(sink);
        return await _sip.InDialogAsync("INVITE", _invite, _ok!, ++_cseq, TimeSpan.FromSeconds(10), "application/sdp",
            RawSipClient.AudioOffer(sink.Port, "0", "0 PCMU/8000").Replace("o=tester 1 1", "o=tester 1 2", StringComparison.Ordinal));
    }

    /// <summary>A re-INVITE on the dialog adding video (same audio port): the answer's video is where <paramref name="video"/> sends from now on. Returns the final response.</summary>
    public async Task<string?> AddVideoAsync(VideoTestEndpoint video)
    {
        var response = await _sip.InDialogAsync("INVITE", _invite, _ok!, ++_cseq, TimeSpan.FromSeconds(10), "application/sdp", Offer(Rtp.Port, video));
        if (response is not null && SipText.StatusCode(response) == 200 && SipText.VideoOf(response) is not null)
        {
            PointVideo(video, response);
            Video = video;
        }
        return response;
    }

    /// <summary>A re-INVITE on the dialog dropping video (its m=video line disabled, port 0). Returns the final response.</summary>
    public async Task<string?> DropVideoAsync()
    {
        var response = await _sip.InDialogAsync("INVITE", _invite, _ok!, ++_cseq, TimeSpan.FromSeconds(10), "application/sdp", Offer(Rtp.Port, null, videoDisabled: true));
        if (response is not null && SipText.StatusCode(response) == 200) Video = null;
        return response;
    }

    /// <summary>
    /// Waits for the conference's re-INVITE (its media moved to another node) and accepts it: from then on it sends
    /// to the address the offer names (its video phone, if it has one, to the offer's video). Returns that address, or null
    /// if no re-INVITE came in time.
    /// </summary>
    public async Task<IPEndPoint?> AcceptReInviteAsync(TimeSpan timeout)
    {
        var reInvite = await _sip.ReceiveRequestAsync("INVITE", timeout);
        if (reInvite is null) return null;
        var target = SipText.AudioOf(reInvite).Rtp;
        var video = Video is not null && SipText.VideoOf(reInvite) is not null ? Video : null;
        await _sip.RespondAsync(reInvite, 200, "OK", "application/sdp", Offer(Rtp.Port, video));
        if (video is not null) PointVideo(video, reInvite);
        MediaTarget = target;
        return target;
    }

    /// <summary>Presses keys as SIP INFO (application/dtmf-relay, one request per key); returns the last final response.</summary>
    public async Task<string?> PressAsync(string keys)
    {
        string? response = null;
        foreach (var key in keys)
            response = await _sip.InDialogAsync("INFO", _invite, _ok!, ++_cseq, TimeSpan.FromSeconds(5), "application/dtmf-relay", $"Signal={key}\r\nDuration=160\r\n");
        return response;
    }

    public async Task HangUpAsync()
    {
        await _stop.CancelAsync();
        if (_ok is not null)
            await _sip.ByeAsync(_invite, _ok, TimeSpan.FromSeconds(5), ++_cseq);
        _ok = null;
    }

    /// <summary>A BYE the conference sent this caller (its media node failed, an operator hung up), if one came in time.</summary>
    public Task<string?> ReceiveAsync(TimeSpan timeout) => _sip.ReceiveAnyAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _talking.WaitAsync(TimeSpan.FromSeconds(2)); } catch (Exception) { /* stopped or timed out: the socket goes anyway */ }
        foreach (var sink in Sinks) sink.Dispose();
        _sip.Dispose();
        _stop.Dispose();
    }
}
