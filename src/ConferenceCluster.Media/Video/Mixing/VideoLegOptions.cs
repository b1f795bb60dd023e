using System.Net;

namespace ConferenceCluster.Media.Video.Mixing;

/// <summary>What the call controller negotiated for one participant's video (from the SDP offer/answer).</summary>
public sealed class VideoLegOptions
{
    /// <summary>The participant's id in the conference: the key the layouts use, and what backplanes carry.</summary>
    public required string ParticipantKey { get; init; }

    /// <summary>The VP8 payload type (dynamic, 96–127).</summary>
    public required byte PayloadType { get; init; }

    /// <summary>The endpoint sends us video (its SDP direction allows it).</summary>
    public bool Sends { get; init; } = true;

    /// <summary>The endpoint receives our composite.</summary>
    public bool Receives { get; init; } = true;

    /// <summary>The remote RTP address (c= and m=video); null to learn it from the first packet.</summary>
    public IPEndPoint? RemoteRtp { get; init; }

    /// <summary>The remote RTCP address (a=rtcp), null for RTP port + 1.</summary>
    public IPEndPoint? RemoteRtcp { get; init; }

    /// <summary>What the endpoint can receive (imageattr, max-fs, max-fr, bandwidth): with the conference's maximum it sets the resolution.</summary>
    public VideoReceiveCapabilities ReceiveCapabilities { get; init; } = VideoReceiveCapabilities.Unlimited;

    /// <summary>The participant's voice for voice switching (usually <see cref="AudioLegSpeakerActivity"/> over its audio leg); null: never switches.</summary>
    public ISpeakerActivity? Speaker { get; init; }

    /// <summary>Feedback the endpoint negotiated (a=rtcp-fb): we only send what it understands.</summary>
    public VideoFeedback Feedback { get; init; } = VideoFeedback.All;

    /// <summary>Overrides the engine's symmetric-RTP choice for this leg.</summary>
    public bool? SymmetricRtp { get; init; }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(ParticipantKey);
        if (System.Text.Encoding.UTF8.GetByteCount(ParticipantKey) > BackplaneVideoExtension.MaxKeyBytes)
        {
            throw new ArgumentException($"A participant key is at most {BackplaneVideoExtension.MaxKeyBytes} bytes of UTF-8 (it travels in every backplane packet).", nameof(ParticipantKey));
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(PayloadType, (byte)127);
        ArgumentNullException.ThrowIfNull(ReceiveCapabilities);
        if (!Sends && !Receives)
        {
            throw new ArgumentException("A video leg sends, receives or both (inactive video needs no leg).");
        }
    }
}

/// <summary>RTCP feedback an endpoint negotiated (RFC 4585 a=rtcp-fb, RFC 5104 ccm fir, goog-remb).</summary>
[Flags]
public enum VideoFeedback
{
    None = 0,

    /// <summary>a=rtcp-fb:* nack: generic NACK.</summary>
    Nack = 1,

    /// <summary>a=rtcp-fb:* nack pli.</summary>
    PictureLossIndication = 2,

    /// <summary>a=rtcp-fb:* ccm fir.</summary>
    FullIntraRequest = 4,

    /// <summary>a=rtcp-fb:* goog-remb.</summary>
    Remb = 8,

    All = Nack | PictureLossIndication | FullIntraRequest | Remb,
}

/// <summary>What one video leg measured.</summary>
public sealed record VideoLegStatistics
{
    public long PacketsReceived { get; init; }

    public long PacketsLost { get; init; }

    /// <summary>Packets dropped as not RTP, the wrong payload type, or not a VP8 payload.</summary>
    public long PacketsMalformed { get; init; }

    public long FramesDecoded { get; init; }

    public long KeyframesDecoded { get; init; }

    /// <summary>Frames the decoder refused (damaged, too large, inter frames while waiting for a key frame).</summary>
    public long FramesDropped { get; init; }

    /// <summary>Frames given up because packets never came.</summary>
    public long FramesDamaged { get; init; }

    public long NacksSent { get; init; }

    public long KeyframeRequestsSent { get; init; }

    public long KeyframeRequestsReceived { get; init; }

    public long PacketsSent { get; init; }

    public long FramesSent { get; init; }

    public long PacketsRetransmitted { get; init; }

    /// <summary>The bitrate the endpoint asked for with REMB (kbit/s), if it did.</summary>
    public int? RembKbps { get; init; }

    public VideoResolution Resolution { get; init; }
}
