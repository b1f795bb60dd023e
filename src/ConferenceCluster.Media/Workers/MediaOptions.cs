using System.Net;
using ConferenceCluster.Media.Jitter;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Transport;

namespace ConferenceCluster.Media.Workers;

/// <summary>Settings of a node's media engine: its workers, RTP ports and sockets, and the per-stream defaults.</summary>
public sealed class MediaOptions
{
    /// <summary>Media workers (threads), one per core by default: each ticks its conferences every 20 ms.</summary>
    public int WorkerCount { get; init; } = Environment.ProcessorCount;

    /// <summary>UDP ports for RTP/RTCP pairs (default 40000-49999).</summary>
    public PortRange PortRange { get; init; } = PortRange.Default;

    /// <summary>Address the RTP sockets bind to (default all IPv4 interfaces). The SDP must carry a reachable one.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary>Learn each participant's RTP address from its first packet (default on: needed for clients behind NAT).</summary>
    public bool SymmetricRtp { get; init; } = true;

    /// <summary>SO_RCVBUF/SO_SNDBUF of each socket in bytes; 0 keeps the OS default.</summary>
    public int SocketBufferBytes { get; init; }

    /// <summary>Every incoming stream's jitter buffer (backplanes too, unless <see cref="BackplaneJitterBuffer"/> is set).</summary>
    public JitterBufferOptions JitterBuffer { get; init; } = new();

    /// <summary>
    /// The jitter buffer of incoming backplane streams (from this conference's other nodes); null (default) for
    /// <see cref="JitterBuffer"/>. Every backplane hop a voice crosses adds this buffer's delay (about two frames
    /// with the defaults: docs/benchmarks.md, "Backplane hops"), so a site with a quiet network between its nodes
    /// may set a smaller minimum here.
    /// </summary>
    public JitterBufferOptions? BackplaneJitterBuffer { get; init; }

    /// <summary>Mixer settings of conferences created without their own.</summary>
    public ConferenceMixerOptions Mixer { get; init; } = new();

    /// <summary>Mean interval between RTCP reports per participant (default 5 s, RFC 3550's minimum), randomised ±50 %.</summary>
    public TimeSpan RtcpInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The RTCP CNAME of this node's outgoing streams.</summary>
    public string Cname { get; init; } = "conferencecluster@" + Environment.MachineName;

    /// <summary>A tick that starts this much after its due time counts as late (default 5 ms).</summary>
    public TimeSpan LateTickThreshold { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// After a stall a worker runs at most this many overdue ticks back to back (default 2) and skips the rest,
    /// counting them: a long stall costs a gap, not a burst of stale packets to every listener.
    /// </summary>
    public int MaxCatchUpTicks { get; init; } = 2;

    /// <summary>
    /// Times per 20 ms tick the worker drains its sockets (default 4: every 5 ms). Draining only at the tick would
    /// stamp arrivals with up to 20 ms of error, which the RFC 3550 jitter estimate (and so the jitter buffer's
    /// delay) would mistake for network jitter; each extra poll costs one FIONREAD per socket.
    /// </summary>
    public int ReceivePollsPerTick { get; init; } = 4;

    /// <summary>
    /// A conference keeps its legs on its home worker until it has this many (default 64): small conferences run capture,
    /// mix and send in one tick on one core. Past it, each new leg goes to the least loaded worker, and the conference
    /// spreads its receive, decode and per-listener send over the node's cores (the mix stays one per tick, on the home).
    /// 0 spreads from the first leg.
    /// </summary>
    public int ConferenceSpreadThreshold { get; init; } = 64;

    /// <summary>Clock of the tick schedule (tests may substitute one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(WorkerCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(WorkerCount, 256);
        ArgumentNullException.ThrowIfNull(BindAddress);
        ArgumentOutOfRangeException.ThrowIfNegative(SocketBufferBytes);
        ArgumentNullException.ThrowIfNull(JitterBuffer);
        JitterBuffer.Validate();
        BackplaneJitterBuffer?.Validate();
        ArgumentNullException.ThrowIfNull(Mixer);
        Mixer.Validate();
        if (RtcpInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RtcpInterval), RtcpInterval, "The RTCP interval is positive.");
        }

        if (string.IsNullOrEmpty(Cname) || System.Text.Encoding.UTF8.GetByteCount(Cname) > 255)
        {
            throw new ArgumentException("The CNAME is 1–255 bytes of UTF-8.", nameof(Cname));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MaxCatchUpTicks);
        ArgumentOutOfRangeException.ThrowIfNegative(ConferenceSpreadThreshold);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ReceivePollsPerTick);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ReceivePollsPerTick, 20);
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
