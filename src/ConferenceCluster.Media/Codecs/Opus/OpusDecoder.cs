namespace ConferenceCluster.Media.Codecs.Opus;

/// <summary>
/// One libopus decoder (one incoming stream's state). Decodes Opus packets into interleaved signed 16-bit
/// PCM, recovers lost frames from in-band FEC, and conceals losses (PLC), all into caller-owned spans.
/// </summary>
/// <remarks>Not thread-safe: a decoder belongs to the one media worker that receives its stream.</remarks>
public sealed unsafe class OpusDecoder : IDisposable
{
    private readonly OpusDecoderHandle _handle;

    /// <param name="sampleRate">Output PCM rate: 8000, 12000, 16000, 24000 or 48000 (any Opus packet decodes at any of them).</param>
    /// <param name="channels">1 or 2.</param>
    /// <exception cref="OpusException">libopus refused the parameters or could not allocate.</exception>
    public OpusDecoder(int sampleRate = AudioFormat.MixSampleRate, int channels = 1)
    {
        OpusSampleRates.ThrowIfUnsupported(sampleRate, channels);
        OpusNative.EnsureResolverInstalled();
        _handle = OpusNative.opus_decoder_create(sampleRate, channels, out int error);
        if (error != (int)OpusError.Ok || _handle.IsInvalid)
        {
            _handle.Dispose();
            throw new OpusException((OpusError)error, "opus_decoder_create", $"{sampleRate} Hz, {channels} channel(s)");
        }

        SampleRate = sampleRate;
        Channels = channels;
    }

    public int SampleRate { get; }

    public int Channels { get; }

    /// <summary>Duration in samples per channel of the last packet decoded or concealed.</summary>
    public int LastPacketDurationSamples
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            int value;
            OpusException.ThrowIfError(
                OpusNative.opus_decoder_ctl_get(_handle, OpusNative.OPUS_GET_LAST_PACKET_DURATION_REQUEST, &value),
                "opus_decoder_ctl(OPUS_GET_LAST_PACKET_DURATION)");
            return value;
        }
    }

    /// <summary>Decodes one packet.</summary>
    /// <param name="packet">A whole Opus packet (RTP payload); must not be empty (use <see cref="Conceal"/> for a loss).</param>
    /// <param name="decodedFrame">Room for the packet's duration; 120 ms per channel always suffices.</param>
    /// <returns>Samples per channel written.</returns>
    /// <exception cref="OpusException">Corrupt packet (<see cref="OpusError.InvalidPacket"/>) or <paramref name="decodedFrame"/> too short.</exception>
    public int Decode(ReadOnlySpan<byte> packet, Span<short> decodedFrame)
    {
        if (!TryDecode(packet, decodedFrame, out int samplesPerChannel, out OpusError error))
        {
            throw new OpusException(error, "opus_decode", $"{packet.Length}-byte packet into room for {decodedFrame.Length / Channels} samples per channel");
        }

        return samplesPerChannel;
    }

    /// <summary>
    /// Decodes one packet without throwing for bad input from the network: a corrupt packet returns false with
    /// <see cref="OpusError.InvalidPacket"/>, and the caller treats it as a loss (see <see cref="Conceal"/>).
    /// </summary>
    public bool TryDecode(ReadOnlySpan<byte> packet, Span<short> decodedFrame, out int samplesPerChannel, out OpusError error)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (packet.IsEmpty)
        {
            throw new ArgumentException("An empty packet is a loss: call Conceal (PLC) or DecodeFec instead.", nameof(packet));
        }

        int result;
        fixed (byte* packetPointer = packet)
        fixed (short* pcmPointer = decodedFrame)
        {
            result = OpusNative.opus_decode(_handle, packetPointer, packet.Length, pcmPointer, decodedFrame.Length / Channels, decodeFec: 0);
        }

        if (result < 0)
        {
            samplesPerChannel = 0;
            error = (OpusError)result;
            return false;
        }

        samplesPerChannel = result;
        error = OpusError.Ok;
        return true;
    }

    /// <summary>
    /// Recovers a lost frame from the in-band FEC data carried in the packet that <em>follows</em> it. If that
    /// packet has no FEC (encoder had it off, or CELT-only mode) libopus falls back to concealment.
    /// Afterwards, decode <paramref name="nextPacket"/> itself normally with <see cref="Decode"/>.
    /// </summary>
    /// <param name="nextPacket">The packet received after the gap.</param>
    /// <param name="lostFrame">Exactly the lost duration (a multiple of 2.5 ms per channel; 960 samples for 20 ms at 48 kHz mono).</param>
    /// <returns>Samples per channel written.</returns>
    public int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<short> lostFrame)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (nextPacket.IsEmpty)
        {
            throw new ArgumentException("FEC needs the packet that follows the loss.", nameof(nextPacket));
        }

        int result;
        fixed (byte* packetPointer = nextPacket)
        fixed (short* pcmPointer = lostFrame)
        {
            result = OpusNative.opus_decode(_handle, packetPointer, nextPacket.Length, pcmPointer, lostFrame.Length / Channels, decodeFec: 1);
        }

        if (result < 0)
        {
            throw new OpusException((OpusError)result, "opus_decode(decode_fec=1)", $"{lostFrame.Length / Channels} samples per channel lost");
        }

        return result;
    }

    /// <summary>
    /// Packet-loss concealment: synthesises <paramref name="lostFrame"/> from the decoder's state
    /// (<c>opus_decode</c> with null data). Consecutive calls fade towards silence.
    /// </summary>
    /// <param name="lostFrame">Exactly the lost duration (a multiple of 2.5 ms per channel).</param>
    /// <returns>Samples per channel written.</returns>
    public int Conceal(Span<short> lostFrame)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        int result;
        fixed (short* pcmPointer = lostFrame)
        {
            result = OpusNative.opus_decode(_handle, null, 0, pcmPointer, lostFrame.Length / Channels, decodeFec: 0);
        }

        if (result < 0)
        {
            throw new OpusException((OpusError)result, "opus_decode(PLC)", $"{lostFrame.Length / Channels} samples per channel to conceal");
        }

        return result;
    }

    /// <summary>Resets the decoder state, e.g. when the stream's SSRC changes (<c>OPUS_RESET_STATE</c>).</summary>
    public void ResetState()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        OpusException.ThrowIfError(OpusNative.opus_decoder_ctl_reset(_handle, OpusNative.OPUS_RESET_STATE), "opus_decoder_ctl(OPUS_RESET_STATE)");
    }

    /// <summary>Samples per channel in <paramref name="packet"/> at <paramref name="sampleRate"/> (<c>opus_packet_get_nb_samples</c>).</summary>
    /// <exception cref="OpusException">The packet's TOC/frame-count bytes are invalid.</exception>
    public static int GetSamplesPerChannel(ReadOnlySpan<byte> packet, int sampleRate = AudioFormat.MixSampleRate)
    {
        OpusNative.EnsureResolverInstalled();
        fixed (byte* packetPointer = packet)
        {
            return OpusException.ThrowIfError(OpusNative.opus_packet_get_nb_samples(packetPointer, packet.Length, sampleRate), "opus_packet_get_nb_samples");
        }
    }

    /// <summary>The loaded libopus's version string, e.g. "libopus 1.3.1".</summary>
    public static string LibraryVersion
    {
        get
        {
            OpusNative.EnsureResolverInstalled();
            return System.Runtime.InteropServices.Marshal.PtrToStringUTF8(OpusNative.opus_get_version_string()) ?? "unknown";
        }
    }

    public void Dispose() => _handle.Dispose();
}
