using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Conferencing.Services.Prompts;
using ConferenceCluster.Media;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Codecs.Resampling;
using ConferenceCluster.Media.Rtp;
using Microsoft.Extensions.Logging;
using MediaAudioCodec = ConferenceCluster.Media.Codecs.AudioCodec;

namespace ConferenceCluster.Gateway.Ivr;

/// <summary>
/// The media of a call before it is in a conference (the PIN entry screen, "waiting for the host"): one RTP port on
/// the signalling node that plays prompts (or silence) every 20 ms in the negotiated codec, and listens only for
/// RFC 4733 telephone events. Symmetric RTP: once the endpoint sends, we answer to where its packets come from.
/// </summary>
internal sealed class IvrMediaSession : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly IAudioFrameEncoder _encoder;
    private readonly RtpSendState _send;
    private readonly byte _payloadType;
    private readonly byte? _telephoneEventPayloadType;
    private readonly TelephoneEventDetector _detector;
    private readonly Action<char> _onDigit;
    private readonly Action<int> _releasePort;
    private readonly ILogger _logger;
    private readonly Upsampler8kTo48k _upsampler = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Queue<(PromptAudio Prompt, TaskCompletionSource Played)> _queue = new();
    private (PromptAudio Prompt, TaskCompletionSource Played)? _playing;
    private int _position;
    private EndPoint _remote;
    private Task _loops = Task.CompletedTask;

    public IvrMediaSession(
        int localRtpPort, IPAddress bindAddress, MediaAudioCodec codec, int payloadType, int? telephoneEventPayloadType, int telephoneEventClockRate,
        IPEndPoint remote, Action<char> onDigit, Action<int> releasePort, ILogger logger)
    {
        LocalRtpPort = localRtpPort;
        _socket = new Socket(bindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(bindAddress, localRtpPort));
        _encoder = AudioFrameCodecs.CreateEncoder(codec switch
        {
            MediaAudioCodec.Opus => EncoderProfile.OpusVoice,
            MediaAudioCodec.Pcmu => EncoderProfile.Pcmu,
            _ => EncoderProfile.Pcma,
        });
        _send = RtpSendState.ForCodec(codec);
        _payloadType = checked((byte)payloadType);
        _telephoneEventPayloadType = telephoneEventPayloadType is { } pt ? checked((byte)pt) : null;
        _detector = new TelephoneEventDetector(telephoneEventClockRate);
        _remote = remote;
        _onDigit = onDigit;
        _releasePort = releasePort;
        _logger = logger;
    }

    public int LocalRtpPort { get; }

    public void Start() => _loops = Task.WhenAll(Task.Run(SendLoopAsync), Task.Run(ReceiveLoopAsync));

    /// <summary>Queues a prompt after whatever is playing; completes when it has been sent in full.</summary>
    public Task PlayAsync(PromptAudio prompt)
    {
        var played = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate) _queue.Enqueue((prompt, played));
        return played.Task;
    }

    private async Task SendLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(AudioFormat.FrameMilliseconds));
        var narrowband = new short[AudioFormat.NarrowbandFrameSamples];
        var wideband = new short[AudioFormat.MixFrameSamples];
        var packet = new byte[RtpHeader.FixedLength + AudioFormat.MaxEncodedFrameBytes];
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                NextNarrowbandFrame(narrowband);
                _upsampler.Process(narrowband, wideband);
                var payloadLength = _encoder.Encode(wideband, packet.AsSpan(RtpHeader.FixedLength));
                var headerLength = _send.WriteNextHeader(packet, _payloadType, payloadLength);
                EndPoint remote;
                lock (_gate) remote = _remote;
                await _socket.SendToAsync(packet.AsMemory(0, headerLength + payloadLength), SocketFlags.None, remote, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            _logger.LogDebug("IVR send loop ended: {Reason}", ex.Message);
        }
    }

    /// <summary>The next 20 ms of the prompt being played (prompts are 8 kHz), or silence.</summary>
    private void NextNarrowbandFrame(Span<short> frame)
    {
        frame.Clear();
        lock (_gate)
        {
            var filled = 0;
            while (filled < frame.Length)
            {
                if (_playing is null)
                {
                    if (!_queue.TryDequeue(out var next)) return;
                    _playing = next;
                    _position = 0;
                }
                var samples = _playing.Value.Prompt.Samples;
                var count = Math.Min(frame.Length - filled, samples.Length - _position);
                samples.AsSpan(_position, count).CopyTo(frame[filled..]);
                filled += count;
                _position += count;
                if (_position >= samples.Length)
                {
                    _playing.Value.Played.TrySetResult();
                    _playing = null;
                }
            }
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token).ConfigureAwait(false);
                lock (_gate) _remote = received.RemoteEndPoint;
                var packet = buffer.AsSpan(0, received.ReceivedBytes);
                if (!RtpHeader.TryParse(packet, out var header) || header.PayloadType != _telephoneEventPayloadType)
                    continue;
                if (_detector.TryDetect(header.Timestamp, header.PayloadOf(packet), out var digit))
                    _onDigit(digit.Digit);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            _logger.LogDebug("IVR receive loop ended: {Reason}", ex.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _socket.Dispose();
        try { await _loops.ConfigureAwait(false); } catch (Exception) { /* loops end with the socket */ }
        lock (_gate)
        {
            _playing?.Played.TrySetResult();
            while (_queue.TryDequeue(out var queued)) queued.Played.TrySetResult();
        }
        _encoder.Dispose();
        _stop.Dispose();
        _releasePort(LocalRtpPort);
    }
}
