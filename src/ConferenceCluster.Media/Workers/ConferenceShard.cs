using System.Net;

namespace ConferenceCluster.Media.Workers;

/// <summary>
/// The participants of one <see cref="ConferenceMedia"/> that live on one <see cref="MediaWorker"/>: that worker
/// receives their RTP, pulls their frames (decoding those that must be), and sends them the conference's mix. A
/// conference has one shard per worker it spans; the mix itself is done once per tick on the conference's home worker.
/// </summary>
/// <remarks>
/// The shard and the home hand over each tick by two counters. The shard captures generation g (everyone's frame of
/// the coming mix) only after it has sent mix g − 1, and publishes <see cref="CapturedGeneration"/> = g; the home mixes
/// g once every shard has captured it and publishes <see cref="ConferenceMedia.MixedGeneration"/> = g. So what one
/// side writes, the other reads only after the release/acquire of a counter, and neither ever waits for the other:
/// a worker that finds the other side not ready yet simply comes back at its next 5 ms poll.
/// </remarks>
internal sealed class ConferenceShard
{
    private readonly List<MediaParticipant> _participants = [];
    private long _capturedGeneration;
    private long _sentGeneration;

    internal ConferenceShard(ConferenceMedia conference, MediaWorker worker)
    {
        Conference = conference;
        Worker = worker;
    }

    public ConferenceMedia Conference { get; }

    public MediaWorker Worker { get; }

    /// <summary>The mix generation this shard's frames were last captured for (home reads it, acquire).</summary>
    public long CapturedGeneration => Volatile.Read(ref _capturedGeneration);

    /// <summary>Worker ticks on which the shard could not capture because the home had not mixed its last capture yet.</summary>
    public long StalledCaptures { get; private set; }

    public int ParticipantCount => _participants.Count;

    /// <summary>Worker thread.</summary>
    public void Add(MediaParticipant participant)
    {
        _participants.Add(participant);
        Worker.Register(participant);
    }

    /// <summary>Worker thread. The participant is neither received, captured nor sent to afterwards.</summary>
    public bool Remove(MediaParticipant participant)
    {
        if (!_participants.Remove(participant))
        {
            return false;
        }

        Worker.Unregister(participant);
        return true;
    }

    public void Receive(Span<byte> buffer, SocketAddress source, long now)
    {
        foreach (MediaParticipant participant in _participants)
        {
            participant.Receive(buffer, source, now);
        }
    }

    /// <summary>
    /// Sends the latest mix (if not sent yet), then pulls every participant's next frame for the following mix. Does
    /// nothing while the home has not mixed the previous capture (a stalled home worker): the frames wait in the jitter
    /// buffers.
    /// </summary>
    public void Capture()
    {
        long mixed = Conference.MixedGeneration;
        if (Volatile.Read(ref _capturedGeneration) > mixed)
        {
            StalledCaptures++;
            return;
        }

        SendMix(mixed);
        long generation = mixed + 1;
        foreach (MediaParticipant participant in _participants)
        {
            participant.Capture(generation, mixed);
        }

        Volatile.Write(ref _capturedGeneration, generation);
    }

    /// <summary>Sends every participant its output of the latest mix, once.</summary>
    public void SendLatestMix() => SendMix(Conference.MixedGeneration);

    public void SendRtcpIfDue(long now, long rtcpIntervalTicks)
    {
        foreach (MediaParticipant participant in _participants)
        {
            participant.SendRtcpIfDue(now, rtcpIntervalTicks);
        }
    }

    private void SendMix(long mixed)
    {
        if (_sentGeneration >= mixed)
        {
            return;
        }

        _sentGeneration = mixed;
        foreach (MediaParticipant participant in _participants)
        {
            participant.SendOutputOf(mixed);
        }
    }
}
