using System.Runtime.InteropServices;

namespace ConferenceCluster.Media.Codecs.Opus;

/// <summary>
/// One libopus encoder (one outgoing stream's state). Encodes interleaved signed 16-bit PCM frames into Opus
/// packets, writing into caller-owned spans: nothing is allocated per frame.
/// </summary>
/// <remarks>Not thread-safe: an encoder belongs to the one media worker that ticks its conference.</remarks>
public sealed unsafe class OpusEncoder : IDisposable
{
    /// <summary>Bitrate value that lets libopus choose (<c>OPUS_AUTO</c>).</summary>
    public const int BitrateAuto = OpusNative.OPUS_AUTO;

    /// <summary>Bitrate value that asks for the most the packet size allows (<c>OPUS_BITRATE_MAX</c>).</summary>
    public const int BitrateMax = OpusNative.OPUS_BITRATE_MAX;

    private readonly OpusEncoderHandle _handle;

    /// <param name="sampleRate">8000, 12000, 16000, 24000 or 48000.</param>
    /// <param name="channels">1 or 2.</param>
    /// <param name="application">Fixed for the encoder's life.</param>
    /// <exception cref="OpusException">libopus refused the parameters or could not allocate.</exception>
    public OpusEncoder(int sampleRate = AudioFormat.MixSampleRate, int channels = 1, OpusApplication application = OpusApplication.Voip)
    {
        OpusSampleRates.ThrowIfUnsupported(sampleRate, channels);
        OpusNative.EnsureResolverInstalled();
        _handle = OpusNative.opus_encoder_create(sampleRate, channels, (int)application, out int error);
        if (error != (int)OpusError.Ok || _handle.IsInvalid)
        {
            _handle.Dispose();
            throw new OpusException((OpusError)error, "opus_encoder_create", $"{sampleRate} Hz, {channels} channel(s), {application}");
        }

        SampleRate = sampleRate;
        Channels = channels;
        Application = application;
    }

    public int SampleRate { get; }

    public int Channels { get; }

    public OpusApplication Application { get; }

    /// <summary>Target bitrate in bit/s (500–512000), or <see cref="BitrateAuto"/> / <see cref="BitrateMax"/>.</summary>
    public int Bitrate
    {
        get => GetCtl(OpusNative.OPUS_GET_BITRATE_REQUEST, "OPUS_GET_BITRATE");
        set => SetCtl(OpusNative.OPUS_SET_BITRATE_REQUEST, value, "OPUS_SET_BITRATE");
    }

    /// <summary>Computational complexity 0–10 (libopus default 9; Janus AudioBridge uses 4).</summary>
    public int Complexity
    {
        get => GetCtl(OpusNative.OPUS_GET_COMPLEXITY_REQUEST, "OPUS_GET_COMPLEXITY");
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 10);
            SetCtl(OpusNative.OPUS_SET_COMPLEXITY_REQUEST, value, "OPUS_SET_COMPLEXITY");
        }
    }

    /// <summary>
    /// In-band forward error correction: each SILK/hybrid packet also carries a low-rate copy of the previous
    /// frame, which <see cref="OpusDecoder.DecodeFec"/> recovers when that previous packet is lost. Only takes
    /// effect with a non-zero <see cref="PacketLossPercent"/>.
    /// </summary>
    public bool InbandFec
    {
        get => GetCtl(OpusNative.OPUS_GET_INBAND_FEC_REQUEST, "OPUS_GET_INBAND_FEC") != 0;
        set => SetCtl(OpusNative.OPUS_SET_INBAND_FEC_REQUEST, value ? 1 : 0, "OPUS_SET_INBAND_FEC");
    }

    /// <summary>Expected packet loss 0–100 %; makes the encoder more robust (and spend bits on FEC).</summary>
    public int PacketLossPercent
    {
        get => GetCtl(OpusNative.OPUS_GET_PACKET_LOSS_PERC_REQUEST, "OPUS_GET_PACKET_LOSS_PERC");
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 100);
            SetCtl(OpusNative.OPUS_SET_PACKET_LOSS_PERC_REQUEST, value, "OPUS_SET_PACKET_LOSS_PERC");
        }
    }

    /// <summary>
    /// Discontinuous transmission: during silence the encoder emits 1–2 byte packets that need not be sent
    /// (libopus: "if the return value is 2 bytes or less, then the packet does not need to be transmitted").
    /// </summary>
    public bool Dtx
    {
        get => GetCtl(OpusNative.OPUS_GET_DTX_REQUEST, "OPUS_GET_DTX") != 0;
        set => SetCtl(OpusNative.OPUS_SET_DTX_REQUEST, value ? 1 : 0, "OPUS_SET_DTX");
    }

    /// <summary>Signal type hint; <see cref="OpusSignal.Voice"/> biases towards SILK/hybrid.</summary>
    public OpusSignal Signal
    {
        get => (OpusSignal)GetCtl(OpusNative.OPUS_GET_SIGNAL_REQUEST, "OPUS_GET_SIGNAL");
        set => SetCtl(OpusNative.OPUS_SET_SIGNAL_REQUEST, (int)value, "OPUS_SET_SIGNAL");
    }

    /// <summary>Upper bound of the coded audio bandwidth.</summary>
    public OpusBandwidth MaxBandwidth
    {
        get => (OpusBandwidth)GetCtl(OpusNative.OPUS_GET_MAX_BANDWIDTH_REQUEST, "OPUS_GET_MAX_BANDWIDTH");
        set => SetCtl(OpusNative.OPUS_SET_MAX_BANDWIDTH_REQUEST, (int)value, "OPUS_SET_MAX_BANDWIDTH");
    }

    /// <summary>Variable bitrate (libopus default on).</summary>
    public bool Vbr
    {
        get => GetCtl(OpusNative.OPUS_GET_VBR_REQUEST, "OPUS_GET_VBR") != 0;
        set => SetCtl(OpusNative.OPUS_SET_VBR_REQUEST, value ? 1 : 0, "OPUS_SET_VBR");
    }

    /// <summary>Encoder delay in samples per channel at <see cref="SampleRate"/>.</summary>
    public int LookaheadSamples => GetCtl(OpusNative.OPUS_GET_LOOKAHEAD_REQUEST, "OPUS_GET_LOOKAHEAD");

    /// <summary>
    /// Encodes one frame of interleaved PCM into <paramref name="encodedPacket"/>.
    /// </summary>
    /// <param name="pcm">
    /// Exactly one frame: 2.5, 5, 10, 20, 40 or 60 ms per channel, interleaved (960 samples for 48 kHz mono 20 ms).
    /// </param>
    /// <param name="encodedPacket">Room for the packet; <see cref="AudioFormat.MaxEncodedFrameBytes"/> always suffices.</param>
    /// <returns>Bytes written. With <see cref="Dtx"/> on, 1–2 bytes means "silence: need not be sent".</returns>
    /// <exception cref="ArgumentException">The PCM length is not a whole number of samples per channel.</exception>
    /// <exception cref="OpusException">libopus rejected the frame size or ran out of packet room.</exception>
    public int Encode(ReadOnlySpan<short> pcm, Span<byte> encodedPacket)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (pcm.Length % Channels != 0)
        {
            throw new ArgumentException($"PCM holds {pcm.Length} samples, not a multiple of {Channels} channel(s).", nameof(pcm));
        }

        int frameSizePerChannel = pcm.Length / Channels;
        int written;
        fixed (short* pcmPointer = pcm)
        fixed (byte* packetPointer = encodedPacket)
        {
            written = OpusNative.opus_encode(_handle, pcmPointer, frameSizePerChannel, packetPointer, encodedPacket.Length);
        }

        if (written < 0)
        {
            ThrowEncodeError(written, frameSizePerChannel, encodedPacket.Length);
        }

        return written;
    }

    /// <summary>Resets the codec state as if freshly created, keeping the settings (<c>OPUS_RESET_STATE</c>).</summary>
    public void ResetState()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        OpusException.ThrowIfError(OpusNative.opus_encoder_ctl_reset(_handle, OpusNative.OPUS_RESET_STATE), "opus_encoder_ctl(OPUS_RESET_STATE)");
    }

    public void Dispose() => _handle.Dispose();

    private void ThrowEncodeError(int error, int frameSizePerChannel, int packetCapacity)
    {
        string detail = (OpusError)error switch
        {
            OpusError.BadArgument =>
                $"{frameSizePerChannel} samples per channel at {SampleRate} Hz is not an Opus frame (2.5, 5, 10, 20, 40 or 60 ms)",
            OpusError.BufferTooSmall => $"the encoded payload buffer holds only {packetCapacity} bytes",
            _ => $"{frameSizePerChannel} samples per channel into {packetCapacity} bytes",
        };
        throw new OpusException((OpusError)error, "opus_encode", detail);
    }

    private int GetCtl(int request, string name)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        int value;
        int result = OpusNative.opus_encoder_ctl_get(_handle, request, &value);
        if (result < 0)
        {
            throw new OpusException((OpusError)result, $"opus_encoder_ctl({name})");
        }

        return value;
    }

    private void SetCtl(int request, int value, string name)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        int result = OpusNative.opus_encoder_ctl_set(_handle, request, value);
        if (result < 0)
        {
            throw new OpusException((OpusError)result, $"opus_encoder_ctl({name})", $"value {value}");
        }
    }
}
