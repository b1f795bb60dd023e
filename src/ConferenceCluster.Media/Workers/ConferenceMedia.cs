using System.Net;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Streams;
using ConferenceCluster.Media.Transport;

namespace ConferenceCluster.Media.Workers;

/// <summary>
/// One conference's audio on this node (a mediasoup "router" that mixes): a <see cref="ConferenceMixer"/> pinned
/// to one <see cref="MediaWorker"/>, and the participants' RTP legs. Every 20 ms tick the worker pulls each leg's
/// next frame from its jitter buffer, decodes it (silent legs are skipped), mixes, and sends each listener its
/// payload as RTP: a payload shared by a codec group goes to every member as-is, behind that member's own header.
/// </summary>
/// <remarks>
/// The async methods are the call controller's API and may be called from any thread: they bind sockets on the
/// caller's thread and hand the change to the worker, which applies it between ticks.
/// </remarks>
public sealed class ConferenceMedia : IAsyncDisposable
{
    private readonly MediaEngine _engine;
    private readonly ConferenceMixer _mixer;
    private readonly List<MediaParticipant> _participants = [];
    private readonly Dictionary<MixerParticipantId, MediaParticipant> _participantsById = [];
    private readonly short[] _frame = new short[AudioFormat.MixFrameSamples];
    private int _nextParticipantId;
    private int _participantCount;
    private volatile bool _closed;

    internal ConferenceMedia(MediaEngine engine, MediaWorker worker, string conferenceId, ConferenceMixerOptions mixerOptions)
    {
        _engine = engine;
        Worker = worker;
        ConferenceId = conferenceId;
        _mixer = new ConferenceMixer(mixerOptions);
    }

    public string ConferenceId { get; }

    /// <summary>The worker this conference is pinned to.</summary>
    public MediaWorker Worker { get; }

    public int ParticipantCount => Volatile.Read(ref _participantCount);

    /// <summary>Ticks mixed so far.</summary>
    public long TickCount => _mixer.TickCount;

    /// <summary>
    /// Adds a participant's audio leg: allocates and binds its local RTP/RTCP ports now, and joins it to the mix
    /// from the next tick. Put <see cref="MediaParticipant.LocalRtpPort"/> in the SDP answer.
    /// </summary>
    /// <exception cref="InvalidOperationException">The port range is exhausted, or the conference is closed.</exception>
    public async Task<MediaParticipant> AddParticipantAsync(MediaEndpointOptions endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        endpoint.Validate();
        ObjectDisposedException.ThrowIf(_closed, this);
        MediaOptions options = _engine.Options;
        RtpTransport transport = RtpTransport.Bind(options.BindAddress, _engine.PortAllocator, endpoint.ResolveSymmetricRtp(options), options.SocketBufferBytes);
        MediaParticipant? participant = null;
        try
        {
            var id = new MixerParticipantId(Interlocked.Increment(ref _nextParticipantId));
            participant = new MediaParticipant(this, id, endpoint, transport, options);
            await Worker.InvokeAsync(() =>
            {
                ObjectDisposedException.ThrowIf(_closed, this);
                _mixer.AddParticipant(id, participant.Profile, participant.Role);
                _participants.Add(participant);
                _participantsById.Add(id, participant);
                Interlocked.Increment(ref _participantCount);
                Worker.ParticipantsChanged(+1);
                return true;
            }).ConfigureAwait(false);
            return participant;
        }
        catch
        {
            participant?.Inbound.Dispose();
            transport.Dispose();
            throw;
        }
    }

    /// <summary>Removes a participant's leg and releases its ports.</summary>
    /// <returns>False if it was not in this conference.</returns>
    public Task<bool> RemoveParticipantAsync(MediaParticipant participant)
    {
        ArgumentNullException.ThrowIfNull(participant);
        return Worker.InvokeAsync(() => RemoveOnWorker(participant));
    }

    /// <summary>Removes every participant, the mixer, and unpins the conference from its worker.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_closed)
        {
            return;
        }

        await Worker.InvokeAsync(() =>
        {
            _closed = true;
            foreach (MediaParticipant participant in _participants.ToArray())
            {
                RemoveOnWorker(participant);
            }

            _mixer.Dispose();
            Worker.Detach(this);
            return true;
        }).ConfigureAwait(false);
        _engine.Forget(this);
    }

    /// <summary>Drains every leg's sockets (worker thread, before <see cref="Tick"/>).</summary>
    internal void Receive(Span<byte> buffer, SocketAddress source, long now)
    {
        foreach (MediaParticipant participant in _participants)
        {
            participant.Receive(buffer, source, now);
        }
    }

    /// <summary>One 20 ms tick: pull, decode, mix, send (worker thread).</summary>
    internal void Tick(long now, long rtcpIntervalTicks)
    {
        if (_participants.Count == 0)
        {
            return;
        }

        Span<short> frame = _frame;
        foreach (MediaParticipant participant in _participants)
        {
            if (participant.Inbound.PullFrame(frame) != FrameSource.Silent && !participant.Muted)
            {
                _mixer.SubmitFrame(participant.Id, frame);
            }
        }

        MixTickResult result = _mixer.Mix();
        foreach (ListenerOutput output in result.ListenerOutputs)
        {
            _participantsById[output.Listener].Send(output.Output.EncodedPayload);
        }

        foreach (MediaParticipant participant in _participants)
        {
            participant.SendRtcpIfDue(now, rtcpIntervalTicks);
        }
    }

    private bool RemoveOnWorker(MediaParticipant participant)
    {
        if (!_participantsById.Remove(participant.Id))
        {
            return false;
        }

        _participants.Remove(participant);
        _mixer.RemoveParticipant(participant.Id);
        participant.SendGoodbye(System.Diagnostics.Stopwatch.GetTimestamp());
        participant.Inbound.Dispose();
        participant.Transport.Dispose();
        Interlocked.Decrement(ref _participantCount);
        Worker.ParticipantsChanged(-1);
        return true;
    }
}
