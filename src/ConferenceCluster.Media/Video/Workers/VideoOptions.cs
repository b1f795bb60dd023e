namespace ConferenceCluster.Media.Video.Workers;

/// <summary>Settings of a node's video engine: its workers, frame rate, and the per-stream defaults of its legs.</summary>
public sealed class VideoOptions
{
    /// <summary>Video workers (threads), one per core by default; separate from the audio workers (docs/decisions.md, "Video threading").</summary>
    public int WorkerCount { get; init; } = Environment.ProcessorCount;

    /// <summary>Composites per second (default 30): every conference's pictures are composed and encoded at this rate.</summary>
    public int FrameRate { get; init; } = 30;

    /// <summary>How often a worker drains its sockets between frames (default 5 ms): packets are decoded as they arrive.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Mean interval of each leg's RTCP reports (default 1 s, randomised ±50 %); feedback (NACK, PLI) goes at once.</summary>
    public TimeSpan RtcpInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A frame whose packets are still missing this long after the hole was seen is given up (and a key frame asked for).</summary>
    public TimeSpan MaxWaitForRetransmission { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>At most one key frame request (PLI/FIR) per stream in this interval, and at most one forced key frame per encoder.</summary>
    public TimeSpan KeyframeRequestInterval { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>VP8E_SET_CPUUSED of every encoder (default 8, see <see cref="Codecs.Vp8.Vp8EncoderSettings.CpuUsed"/>).</summary>
    public int EncoderCpuUsed { get; init; } = 8;

    /// <summary>Packets each sent stream keeps for retransmission on NACK (default 256).</summary>
    public int RetransmissionHistory { get; init; } = 256;

    /// <summary>The size at which a participant who is in no main position travels on backplanes (default 320×180).</summary>
    public VideoResolution BackplaneThumbnail { get; init; } = VideoResolution.Thumbnail;

    /// <summary>Largest picture a decoder accepts, in macroblocks (default 1080p).</summary>
    public int MaxDecodeMacroblocks { get; init; } = VideoLimits.DefaultMaxDecodeMacroblocks;

    /// <summary>SO_RCVBUF/SO_SNDBUF of video sockets (default 1 MiB: a key frame is a burst of a hundred packets).</summary>
    public int SocketBufferBytes { get; init; } = 1 << 20;

    /// <summary>Participants a backplane may introduce at most (each costs a decoder): a peer cannot exhaust the node.</summary>
    public int MaxRemoteSourcesPerBackplane { get; init; } = 256;

    /// <summary>
    /// A participant from another node whose stream has been silent this long is forgotten (its decoder freed): it left
    /// that node, or stopped its camera (its tile then shows the camera-off placeholder). Default 30 s.
    /// </summary>
    public TimeSpan RemoteSourceIdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public string Cname { get; init; } = "conferencecluster-video@" + Environment.MachineName;

    /// <summary>Clock of the frame schedule (tests may substitute one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(WorkerCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(WorkerCount, 256);
        ArgumentOutOfRangeException.ThrowIfLessThan(FrameRate, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(FrameRate, 60);
        if (PollInterval <= TimeSpan.Zero || RtcpInterval <= TimeSpan.Zero || MaxWaitForRetransmission <= TimeSpan.Zero || KeyframeRequestInterval < TimeSpan.Zero ||
            RemoteSourceIdleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(PollInterval), "The video intervals are positive.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(EncoderCpuUsed, -16);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(EncoderCpuUsed, 16);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxDecodeMacroblocks);
        ArgumentOutOfRangeException.ThrowIfNegative(SocketBufferBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxRemoteSourcesPerBackplane);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        if (string.IsNullOrEmpty(Cname) || System.Text.Encoding.UTF8.GetByteCount(Cname) > 255)
        {
            throw new ArgumentException("The CNAME is 1–255 bytes of UTF-8.", nameof(Cname));
        }
    }
}
