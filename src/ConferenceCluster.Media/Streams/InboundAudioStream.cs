using System.Diagnostics;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Codecs.G711;
using ConferenceCluster.Media.Codecs.Opus;
using ConferenceCluster.Media.Jitter;
using ConferenceCluster.Media.Rtp;

namespace ConferenceCluster.Media.Streams;

/// <summary>Where this tick's frame of an <see cref="InboundAudioStream"/> came from.</summary>
public enum FrameSource
{
    /// <summary>Decoded from its own packet.</summary>
    Decoded,
    /// <summary>Rebuilt from the Opus in-band FEC of the following packet.</summary>
    FecRecovered,
    /// <summary>Synthesised: Opus PLC, or the last G.711 frame repeated with a fade, or G.711 silence.</summary>
    Concealed,
    /// <summary>No frame: the stream is silent (buffering, gone quiet, or DTX). Nothing was decoded; skip it in the mix.</summary>
    Silent,
}

/// <summary>What <see cref="InboundAudioStream.OnPacket"/> did with a datagram.</summary>
public enum InboundPacketKind
{
    Audio,
    /// <summary>An RFC 4733 telephone-event packet that completed a key press (the digit is returned).</summary>
    DtmfDigit,
    /// <summary>A telephone-event packet that completed nothing new (start, continuation or a repeated end).</summary>
    TelephoneEvent,
    /// <summary>Valid RTP with a payload type we did not negotiate.</summary>
    UnknownPayloadType,
    /// <summary>Not RTP, or an RTP packet the sequence check rejected.</summary>
    Rejected,
}

/// <summary>What <see cref="InboundAudioStream.PeekFrame"/> found for this tick, before anything is decoded.</summary>
public enum PeekedFrameKind
{
    /// <summary>Nothing to play: buffering, gone quiet, or an Opus DTX/comfort-noise frame. Never worth a decode.</summary>
    Silent,
    /// <summary>The frame's packet is here.</summary>
    Packet,
    /// <summary>The frame's packet is missing (FEC from the next packet, or concealment, if it is decoded).</summary>
    Missing,
}

/// <summary>This tick's frame of a stream as seen before decoding: its kind and the sender's RFC 6464 level, if it sent one.</summary>
public readonly record struct PeekedFrame(PeekedFrameKind Kind, AudioLevel? Level);

/// <summary>
/// One participant's incoming audio (a mediasoup "producer" seen from the mixer): RTP parsing, RFC 3550 receive
/// statistics, the adaptive <see cref="JitterBuffer"/>, DTMF detection, RFC 6464 audio levels and the decoder. Each
/// tick <see cref="PullFrame"/> yields the next 20 ms at 48 kHz, recovering a loss by Opus FEC when the next packet is
/// already here, else by concealment.
/// </summary>
/// <remarks>
/// <para>
/// <b>Decode only who can be heard.</b> A tick may also be split: <see cref="PeekFrame"/> takes the frame out of the
/// jitter buffer and tells its kind and level without decoding it; <see cref="DecodePeeked"/> then decodes it, or the
/// caller leaves it undecoded (the mixer's quiet majority). A stream whose frames were skipped keeps the last skipped
/// packet, and its first decode after the gap decodes that packet first and discards the output ("pre-roll"), so the
/// decoder's history (CELT overlap, SILK/LPC state, the G.711 upsampler's taps) is the stream's own and the first frame
/// back has no click.
/// </para>
/// <para>
/// Threads: <see cref="OnPacket"/> and <see cref="PeekFrame"/> run on the worker that receives the leg;
/// <see cref="DecodePeeked"/> may run on the conference's mixing worker, ordered after the peek by the conference's
/// tick hand-over. Decoding touches only the decoder and the peeked copies, never the jitter buffer.
/// </para>
/// </remarks>
public sealed class InboundAudioStream : IDisposable
{
    private readonly IAudioFrameDecoder _decoder;
    private readonly OpusFrameDecoder? _opusDecoder;
    private readonly G711FrameDecoder? _g711Decoder;
    private readonly JitterBuffer _jitterBuffer;
    private readonly RtpReceiveStatistics _statistics;
    private readonly TelephoneEventDetector? _telephoneEvents;
    private readonly byte[]? _lastPayload;
    private int _lastPayloadLength;
    private readonly byte[]? _partialFrame;
    private readonly byte _g711Silence;
    private ushort _partialSlot;
    private int _partialFilled;
    private bool _hasPartial;
    private readonly double _timestampUnitsPerStopwatchTick;
    private readonly int _samplesPerFrame;
    private uint _referenceTimestamp;
    private ushort _referenceFrame;
    private bool _haveReference;
    private bool _lastFrameValid;

    // The peeked frame (copied out of the jitter buffer, whose slots the receive side may reuse meanwhile).
    private byte[] _peeked = new byte[AudioFormat.MaxPayloadBytes];
    private readonly byte[] _peekedNext = new byte[AudioFormat.MaxPayloadBytes];
    private readonly byte[][] _skipped = [new byte[AudioFormat.MaxPayloadBytes], new byte[AudioFormat.MaxPayloadBytes], new byte[AudioFormat.MaxPayloadBytes]];
    private readonly int[] _skippedLengths = new int[PreRollPackets];
    private readonly short[] _preRollFrame = new short[AudioFormat.MixFrameSamples];
    private int _peekedLength;
    private int _peekedNextLength;
    private int _skippedCount;
    private PeekedFrameKind _peekedKind = PeekedFrameKind.Silent;
    private bool _peekedIsDtx;
    private bool _peekedDecoded = true;
    private bool _peekedNeedsReset;
    private volatile bool _sourceChanged;

    /// <param name="codec">The negotiated audio codec.</param>
    /// <param name="payloadType">Its RTP payload type.</param>
    /// <param name="telephoneEventPayloadType">The telephone-event payload type, if negotiated.</param>
    /// <param name="telephoneEventClockRate">The telephone-event clock from the SDP (8000 usually; 48000 next to Opus in WebRTC).</param>
    /// <param name="audioLevelExtensionId">The RFC 8285 id the sender's SDP gave the RFC 6464 audio level (a=extmap), if negotiated.</param>
    public InboundAudioStream(AudioCodec codec, byte payloadType, byte? telephoneEventPayloadType = null, int telephoneEventClockRate = 8000, JitterBufferOptions? jitterBufferOptions = null, byte? audioLevelExtensionId = null)
    {
        if (audioLevelExtensionId is 0 or > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(audioLevelExtensionId), audioLevelExtensionId, "Header extension ids are 1–255.");
        }

        AudioLevelExtensionId = audioLevelExtensionId;
        Codec = codec;
        PayloadType = payloadType;
        TelephoneEventPayloadType = telephoneEventPayloadType;
        _decoder = AudioFrameCodecs.CreateDecoder(codec);
        _opusDecoder = _decoder as OpusFrameDecoder;
        _g711Decoder = _decoder as G711FrameDecoder;
        _lastPayload = _g711Decoder is not null ? new byte[AudioFormat.MaxEncodedFrameBytes] : null;
        if (_g711Decoder is not null)
        {
            _partialFrame = new byte[AudioFormat.NarrowbandFrameSamples];
            _g711Silence = codec == AudioCodec.Pcma ? (byte)0xD5 : (byte)0xFF;
        }
        _jitterBuffer = new JitterBuffer(jitterBufferOptions);
        int clockRate = codec is AudioCodec.Opus or AudioCodec.L16 ? AudioFormat.MixSampleRate : AudioFormat.NarrowbandSampleRate;
        _statistics = new RtpReceiveStatistics(clockRate);
        _timestampUnitsPerStopwatchTick = clockRate / (double)Stopwatch.Frequency;
        _samplesPerFrame = clockRate / 1000 * AudioFormat.FrameMilliseconds;
        if (telephoneEventPayloadType is not null)
        {
            _telephoneEvents = new TelephoneEventDetector(telephoneEventClockRate);
        }
    }

    /// <summary>
    /// The A.8 estimate moves 1/16 of the way per packet, so it means little before about 16 packets: until then
    /// the buffer keeps <see cref="JitterBufferOptions.InitialDelayFrames"/>.
    /// </summary>
    public const int PacketsBeforeAdapting = 16;

    /// <summary>
    /// Skipped packets decoded (output discarded) before the first decode after a gap. One brings the CELT overlap back;
    /// SILK's pitch and LPC memory needs about three (measured: a 440 Hz hybrid-mode tone resumes within 2 % of a
    /// continuous decode after three, 33 % after one, 55 % after none).
    /// </summary>
    public const int PreRollPackets = 3;

    public AudioCodec Codec { get; }

    public byte PayloadType { get; }

    public byte? TelephoneEventPayloadType { get; }

    /// <summary>The negotiated id of the RFC 6464 audio level extension; null when the sender sends none (its frames are decoded to learn their level).</summary>
    public byte? AudioLevelExtensionId { get; }

    /// <summary>Packets whose header extension block was malformed (RFC 8285): their level was ignored, their audio kept.</summary>
    public long MalformedHeaderExtensions { get; private set; }

    /// <summary>Packets that carried the negotiated audio level.</summary>
    public long AudioLevelsReceived { get; private set; }

    /// <summary>Opus DTX (comfort noise) frames played out without decoding.</summary>
    public long DtxFrames { get; private set; }

    /// <summary>First decodes after skipped frames that decoded the last skipped packet first (see remarks).</summary>
    public long ResumedDecodes { get; private set; }

    public RtpReceiveStatistics Statistics => _statistics;

    public JitterBuffer JitterBuffer => _jitterBuffer;

    /// <summary>Datagrams that were not RTP or failed the sequence check.</summary>
    public long RejectedPackets { get; private set; }

    public long UnknownPayloadTypePackets { get; private set; }

    public long FecRecoveredFrames { get; private set; }

    public long ConcealedFrames { get; private set; }

    public long DecodedFrames { get; private set; }

    /// <summary>Packets libopus could not decode (treated as losses).</summary>
    public long CorruptPackets { get; private set; }

    /// <summary>
    /// Takes one received datagram (copied into the jitter buffer; the span may be reused at once).
    /// </summary>
    /// <param name="arrivalStopwatchTimestamp">When it arrived (<see cref="Stopwatch.GetTimestamp"/>), for the jitter estimate.</param>
    /// <param name="digit">With <see cref="InboundPacketKind.DtmfDigit"/>: the key press.</param>
    public InboundPacketKind OnPacket(ReadOnlySpan<byte> datagram, long arrivalStopwatchTimestamp, out DtmfDigit digit)
    {
        digit = default;
        if (!RtpHeader.TryParse(datagram, out RtpHeader header))
        {
            RejectedPackets++;
            return InboundPacketKind.Rejected;
        }

        ReadOnlySpan<byte> payload = header.PayloadOf(datagram);
        long arrivalUnits = (long)(arrivalStopwatchTimestamp * _timestampUnitsPerStopwatchTick);
        if (header.PayloadType == TelephoneEventPayloadType && _telephoneEvents is not null)
        {
            // Events share the audio's SSRC and sequence space: count them, or every key press looks like loss.
            _statistics.Update(header.Ssrc, header.SequenceNumber, header.Timestamp, arrivalUnits, sampleJitter: false);
            return _telephoneEvents.TryDetect(header.Timestamp, payload, out digit) ? InboundPacketKind.DtmfDigit : InboundPacketKind.TelephoneEvent;
        }

        if (header.PayloadType != PayloadType)
        {
            UnknownPayloadTypePackets++;
            return InboundPacketKind.UnknownPayloadType;
        }

        RtpSequenceVerdict verdict = _statistics.Update(header.Ssrc, header.SequenceNumber, header.Timestamp, arrivalUnits);
        switch (verdict)
        {
            case RtpSequenceVerdict.BadSequence:
                RejectedPackets++;
                return InboundPacketKind.Rejected;
            case RtpSequenceVerdict.SourceChanged:
                // A new source is a new stream: old packets and decoder history would only garble its start.
                _jitterBuffer.Reset();
                _sourceChanged = true; // the decoder is reset by the next decode, on whichever worker decodes
                _haveReference = false;
                _hasPartial = false;
                break;
        }

        // Probation packets are buffered too: RFC 3550 A.1 withholds them from statistics, but for a phone leg
        // the first 20 ms of speech matter more than the (negligible) risk of a stray packet.
        if (payload.IsEmpty)
        {
            return InboundPacketKind.Audio;
        }

        if (_partialFrame is not null && payload.Length != _samplesPerFrame)
        {
            InsertG711Repacketized(header.Timestamp, payload);
            return InboundPacketKind.Audio;
        }

        _jitterBuffer.Insert(FrameNumberOf(header.Timestamp), payload, ReadAudioLevel(datagram, header));
        return InboundPacketKind.Audio;
    }

    /// <summary>The RFC 6464 level byte of a packet, or −1. A malformed extension block is counted and ignored.</summary>
    private int ReadAudioLevel(ReadOnlySpan<byte> datagram, in RtpHeader header)
    {
        if (AudioLevelExtensionId is not byte id || !header.Extension)
        {
            return -1;
        }

        switch (RtpHeaderExtensions.TryFind(datagram, header, id, out ReadOnlySpan<byte> data))
        {
            case HeaderExtensionLookup.Found when AudioLevel.TryRead(data, out AudioLevel level):
                AudioLevelsReceived++;
                return level.ToByte();
            case HeaderExtensionLookup.Found:
            case HeaderExtensionLookup.Malformed:
                MalformedHeaderExtensions++;
                return -1;
            default:
                return -1;
        }
    }

    /// <summary>
    /// G.711 with another packet time than 20 ms (ptime 10, 30, 40, 60...: 1 byte per sample, so a payload of N
    /// bytes is N/8 ms): cut on the 20 ms grid of the RTP timestamps into 160-byte frames, one per jitter buffer
    /// slot, stitching a frame split across two packets (30 ms packets: every other frame is). A frame left
    /// incomplete when a later one starts (its other part lost) goes in padded with silence.
    /// </summary>
    private void InsertG711Repacketized(uint timestamp, ReadOnlySpan<byte> payload)
    {
        int frameSamples = _samplesPerFrame;
        if (!_haveReference)
        {
            _haveReference = true;
            _referenceTimestamp = timestamp;
            _referenceFrame = 0;
        }

        int deltaUnits = (int)(timestamp - _referenceTimestamp);
        int deltaFrames = deltaUnits >= 0 ? deltaUnits / frameSamples : -((-deltaUnits + frameSamples - 1) / frameSamples);
        int offset = deltaUnits - deltaFrames * frameSamples;
        ushort slot = (ushort)(_referenceFrame + deltaFrames);
        if (deltaFrames > 0)
        {
            // The reference stays on the frame grid and moves forward, as in FrameNumberOf.
            _referenceTimestamp += (uint)(deltaFrames * frameSamples);
            _referenceFrame = slot;
        }

        while (!payload.IsEmpty)
        {
            int take = Math.Min(frameSamples - offset, payload.Length);
            if (offset == 0 && take == frameSamples)
            {
                _jitterBuffer.Insert(slot, payload[..take]);
            }
            else
            {
                AddToPartialFrame(slot, offset, payload[..take]);
            }

            payload = payload[take..];
            offset = 0;
            slot++;
        }
    }

    private void AddToPartialFrame(ushort slot, int offset, ReadOnlySpan<byte> part)
    {
        byte[] frame = _partialFrame!;
        if (_hasPartial && _partialSlot != slot)
        {
            _jitterBuffer.Insert(_partialSlot, frame); // its other part never came: what is missing stays silent
            _hasPartial = false;
        }

        if (!_hasPartial)
        {
            Array.Fill(frame, _g711Silence);
            _partialSlot = slot;
            _partialFilled = 0;
            _hasPartial = true;
        }

        part.CopyTo(frame.AsSpan(offset));
        _partialFilled += part.Length;
        if (_partialFilled >= frame.Length)
        {
            _jitterBuffer.Insert(slot, frame);
            _hasPartial = false;
        }
    }

    /// <summary>
    /// The jitter buffer is slotted by 20 ms frame number derived from the RTP timestamp, not by sequence number:
    /// telephone-event packets share the sequence space (so audio sequence numbers jump during a key press) and
    /// DTX leaves timestamp gaps with contiguous sequence numbers. Only the timestamp says which 20 ms a payload
    /// belongs to. Deltas are taken against a reference that moves forward, so the 32-bit wrap is harmless.
    /// </summary>
    private ushort FrameNumberOf(uint timestamp)
    {
        if (!_haveReference)
        {
            _haveReference = true;
            _referenceTimestamp = timestamp;
            _referenceFrame = 0;
            return 0;
        }

        int deltaUnits = (int)(timestamp - _referenceTimestamp);
        // Round to the nearest frame: a sender whose clock is not frame-aligned still maps one packet per slot.
        int deltaFrames = deltaUnits >= 0
            ? (deltaUnits + _samplesPerFrame / 2) / _samplesPerFrame
            : -((-deltaUnits + _samplesPerFrame / 2) / _samplesPerFrame);
        ushort frame = (ushort)(_referenceFrame + deltaFrames);
        if (deltaFrames > 0)
        {
            _referenceTimestamp += (uint)(deltaFrames * _samplesPerFrame);
            _referenceFrame = frame;
        }

        return frame;
    }

    /// <summary>Produces this tick's 48 kHz frame into <paramref name="frame"/> (<see cref="AudioFormat.MixFrameSamples"/> samples): <see cref="PeekFrame"/>, then <see cref="DecodePeeked"/>.</summary>
    public FrameSource PullFrame(Span<short> frame)
    {
        if (frame.Length != AudioFormat.MixFrameSamples)
        {
            throw new ArgumentException($"A frame is {AudioFormat.MixFrameSamples} samples.", nameof(frame));
        }

        PeekFrame();
        return DecodePeeked(frame);
    }

    /// <summary>
    /// Takes this tick's frame out of the jitter buffer (copying what a later decode needs) and says what it is, without
    /// decoding. If the previous peeked frame was never decoded, it counts as skipped (see remarks).
    /// </summary>
    public PeekedFrame PeekFrame()
    {
        if (!_peekedDecoded && _peekedKind == PeekedFrameKind.Packet)
        {
            // Keep the last skipped packets: the first decode after the gap pre-rolls the decoder with them.
            int slot = _skippedCount % PreRollPackets;
            (_peeked, _skipped[slot]) = (_skipped[slot], _peeked);
            _skippedLengths[slot] = _peekedLength;
            _skippedCount++;
        }

        _peekedDecoded = false;
        _peekedIsDtx = false;
        _peekedNextLength = 0;
        if (_sourceChanged)
        {
            _sourceChanged = false;
            _peekedNeedsReset = true;
        }

        if (_statistics.PacketsReceived >= PacketsBeforeAdapting)
        {
            _jitterBuffer.UpdateJitter(_statistics.JitterMilliseconds);
        }

        switch (_jitterBuffer.Next(out ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> nextPayload, out int levelByte))
        {
            case JitterPlayout.Packet when IsOpusDtx(payload):
                DtxFrames++;
                _peekedIsDtx = true;
                _skippedCount = 0; // nothing to pre-roll with: a DTX frame carries no audio
                return Peeked(PeekedFrameKind.Silent, levelByte);
            case JitterPlayout.Packet:
                payload.CopyTo(_peeked);
                _peekedLength = payload.Length;
                return Peeked(PeekedFrameKind.Packet, levelByte);
            case JitterPlayout.Missing:
                nextPayload.CopyTo(_peekedNext);
                _peekedNextLength = nextPayload.Length;
                return Peeked(PeekedFrameKind.Missing, -1);
            default:
                return Peeked(PeekedFrameKind.Silent, -1);
        }
    }

    /// <summary>
    /// Decodes the frame <see cref="PeekFrame"/> took (at most once per peek): the packet, or FEC from the next packet,
    /// or concealment; <see cref="FrameSource.Silent"/> without decoding for a silent or DTX frame.
    /// </summary>
    public FrameSource DecodePeeked(Span<short> frame)
    {
        if (frame.Length != AudioFormat.MixFrameSamples)
        {
            throw new ArgumentException($"A frame is {AudioFormat.MixFrameSamples} samples.", nameof(frame));
        }

        if (_peekedDecoded)
        {
            throw new InvalidOperationException("This tick's frame was already decoded; peek the next one first.");
        }

        _peekedDecoded = true;
        if (_peekedNeedsReset)
        {
            // A new source is a new stream: old decoder history would only garble its start.
            _peekedNeedsReset = false;
            _opusDecoder?.Reset();
            _lastFrameValid = false;
            _skippedCount = 0;
        }

        switch (_peekedKind)
        {
            case PeekedFrameKind.Packet:
                PreRollAfterSkippedFrames();
                return DecodePacket(_peeked.AsSpan(0, _peekedLength), frame);
            case PeekedFrameKind.Missing:
                _skippedCount = 0;
                return _peekedNextLength > 0 && _opusDecoder is not null && TryRecoverFromFec(_peekedNext.AsSpan(0, _peekedNextLength), frame)
                    ? FrameSource.FecRecovered
                    : Conceal(frame);
            default:
                if (_peekedIsDtx)
                {
                    _lastFrameValid = false;
                }

                return FrameSource.Silent;
        }
    }

    private PeekedFrame Peeked(PeekedFrameKind kind, int levelByte)
    {
        _peekedKind = kind;
        return new PeekedFrame(kind, levelByte >= 0 ? AudioLevel.FromByte((byte)levelByte) : null);
    }

    /// <summary>The first decode after skipped frames: decode the last skipped packet into scratch first (see remarks).</summary>
    private void PreRollAfterSkippedFrames()
    {
        if (_skippedCount == 0)
        {
            return;
        }

        int packets = Math.Min(_skippedCount, PreRollPackets);
        for (int i = _skippedCount - packets; i < _skippedCount; i++)
        {
            int slot = i % PreRollPackets;
            _decoder.Decode(_skipped[slot].AsSpan(0, _skippedLengths[slot]), _preRollFrame);
        }

        _skippedCount = 0;
        ResumedDecodes++;
    }

    private FrameSource DecodePacket(ReadOnlySpan<byte> payload, Span<short> frame)
    {
        int samples;
        try
        {
            samples = _decoder.Decode(payload, frame);
        }
        catch (ArgumentException)
        {
            // A payload that cannot fit one 20 ms frame: a loss for this participant, never an exception that would
            // abort the whole conference's tick.
            samples = 0;
        }

        if (samples == 0)
        {
            CorruptPackets++;
            return Conceal(frame);
        }

        frame[samples..].Clear();
        if (_lastPayload is not null)
        {
            payload.CopyTo(_lastPayload);
            _lastPayloadLength = payload.Length;
            _lastFrameValid = true;
        }

        DecodedFrames++;
        return FrameSource.Decoded;
    }

    public void Dispose()
    {
        _decoder.Dispose();
        _jitterBuffer.Dispose();
    }

    private bool TryRecoverFromFec(ReadOnlySpan<byte> nextPayload, Span<short> frame)
    {
        if (IsOpusDtx(nextPayload))
        {
            return false;
        }

        if (!_opusDecoder!.TryRecoverFromFec(nextPayload, frame))
        {
            return false; // a corrupt next packet; it will be concealed when its own turn comes
        }

        FecRecoveredFrames++;
        return true;
    }

    private FrameSource Conceal(Span<short> frame)
    {
        ConcealedFrames++;
        if (_opusDecoder is not null)
        {
            _decoder.Conceal(frame);
            return FrameSource.Concealed;
        }

        if (_lastFrameValid && _g711Decoder is not null)
        {
            // G.711 has no PLC of its own: repeat the last frame once, fading to zero so it ends without a click;
            // further losses are silence.
            int samples = _g711Decoder.ConcealByRepeat(_lastPayload.AsSpan(0, _lastPayloadLength), frame);
            frame[samples..].Clear();
            _lastFrameValid = false;
            return FrameSource.Concealed;
        }

        _decoder.Conceal(frame);
        return FrameSource.Concealed;
    }

    /// <summary>An Opus DTX frame is one or two bytes (a TOC with no coded audio): nothing worth decoding or mixing.</summary>
    private bool IsOpusDtx(ReadOnlySpan<byte> payload) => _opusDecoder is not null && payload.Length <= 2;
}
