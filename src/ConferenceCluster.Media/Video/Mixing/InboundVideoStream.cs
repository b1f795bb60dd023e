using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Video.Codecs.Vp8;
using ConferenceCluster.Media.Video.Rtp;

namespace ConferenceCluster.Media.Video.Mixing;

/// <summary>
/// The receiving side of one VP8 stream, from a phone or over a backplane: RTP statistics, frame reassembly, the NACK
/// schedule, giving up on frames that do not complete in time, and knowing when to ask for a key frame. Frames go to
/// the participant's <see cref="VideoSource"/> to be decoded once.
/// </summary>
/// <remarks>Worker thread only; nothing here allocates per packet.</remarks>
internal sealed class InboundVideoStream
{
    private long _holeSinceMs = -1;
    private long _lastKeyframeRequestMs = long.MinValue / 2;

    public RtpReceiveStatistics Statistics { get; } = new(Vp8Encoder.ClockRate);

    public Vp8FrameAssembler Assembler { get; } = new();

    public NackScheduler Nacks { get; } = new();

    /// <summary>A key frame is needed (start, a new SSRC, a broken or refused frame); cleared when one is asked for.</summary>
    public bool WantKeyframe { get; set; } = true;

    public long FramesDecoded { get; private set; }

    /// <summary>Takes one packet: statistics, reassembly, and decoding of whatever frames it completes.</summary>
    /// <returns>False for a packet that is not a VP8 payload.</returns>
    public bool OnPacket(in RtpHeader header, ReadOnlySpan<byte> packet, VideoSource source, long nowMs)
    {
        if (Statistics.Update(header.Ssrc, header.SequenceNumber, header.Timestamp, nowMs * 90) == RtpSequenceVerdict.SourceChanged)
        {
            // A new SSRC: the sender restarted. Start clean and ask for a key frame.
            Assembler.Reset();
            Nacks.Clear();
            WantKeyframe = true;
        }

        if (Assembler.Insert(header.SequenceNumber, header.Timestamp, header.Marker, header.PayloadOf(packet)) == Vp8PacketVerdict.Malformed)
        {
            return false;
        }

        while (Assembler.TryTakeFrame(out ReadOnlySpan<byte> frame, out _, out _, out bool afterLoss))
        {
            if (afterLoss)
            {
                source.Decoder.MarkReferencesLost();
            }

            if (source.Decode(frame, nowMs) == Vp8DecodeResult.Decoded && !source.Decoder.NeedsKeyframe)
            {
                FramesDecoded++;
            }
            else
            {
                WantKeyframe = true;
            }
        }

        return true;
    }

    /// <summary>
    /// What to send the stream's sender now: NACKs due (written to <paramref name="due"/>) and whether to ask for a key
    /// frame (at most one request per <paramref name="keyframeIntervalMs"/>). A hole older than
    /// <paramref name="maxWaitMs"/> is given up first: its frame is skipped, and a key frame asked for.
    /// </summary>
    public int PlanFeedback(long nowMs, long maxWaitMs, long keyframeIntervalMs, bool nack, VideoSource source, Span<ushort> missing, Span<ushort> due, out bool keyframe)
    {
        keyframe = false;
        if (!Statistics.HasSource)
        {
            return 0;
        }

        int count = Assembler.CollectMissing(missing);
        if (count == 0)
        {
            _holeSinceMs = -1;
        }
        else if (_holeSinceMs < 0)
        {
            _holeSinceMs = nowMs;
        }
        else if (nowMs - _holeSinceMs > maxWaitMs)
        {
            // The retransmissions did not come: skip the frame; the decoder waits for the key frame we ask for.
            Assembler.SkipDamagedFrame();
            source.Decoder.MarkReferencesLost();
            WantKeyframe = true;
            _holeSinceMs = -1;
            count = Assembler.CollectMissing(missing);
        }

        int dueCount = nack ? Nacks.Update(missing[..count], nowMs, due) : 0;
        if (WantKeyframe && nowMs - _lastKeyframeRequestMs >= keyframeIntervalMs)
        {
            keyframe = true;
            _lastKeyframeRequestMs = nowMs;
            WantKeyframe = source.Decoder.NeedsKeyframe; // asked; ask again later if none comes
        }

        return dueCount;
    }
}
