using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ConferenceCluster.Media.Codecs.Linear;

/// <summary>
/// L16 (RFC 3551 §4.5.11) at our 48 kHz mix rate, mono: each sample is the mix's int16, big-endian. Lossless and
/// free of algorithmic delay, so a backplane hop costs a byte swap instead of an Opus encode and decode.
/// </summary>
public sealed class L16FrameEncoder : IAudioFrameEncoder
{
    public L16FrameEncoder(EncoderProfile profile)
    {
        if (profile.Codec != AudioCodec.L16)
        {
            throw new ArgumentException($"Not an L16 profile: {profile}.", nameof(profile));
        }

        Profile = profile;
    }

    public EncoderProfile Profile { get; }

    public int Encode(ReadOnlySpan<short> mixPcm, Span<byte> encodedPayload)
    {
        int payloadBytes = mixPcm.Length * sizeof(short);
        if (encodedPayload.Length < payloadBytes)
        {
            throw new ArgumentException($"The L16 payload needs {payloadBytes} bytes but has {encodedPayload.Length}.", nameof(encodedPayload));
        }

        L16Samples.SwapNetworkOrder(mixPcm, MemoryMarshal.Cast<byte, short>(encodedPayload[..payloadBytes]));
        return payloadBytes;
    }

    public void Dispose() { }
}

/// <summary>
/// L16 decoder of one incoming stream. A loss repeats the last frame once with a linear fade to zero (as the G.711
/// path does) and is silence after that: the backplane carries a whole node's mix, where a hard cut would click.
/// </summary>
public sealed class L16FrameDecoder : IAudioFrameDecoder
{
    private readonly short[] _lastFrame = new short[AudioFormat.MixFrameSamples];
    private int _lastFrameSamples;

    public AudioCodec Codec => AudioCodec.L16;

    public int Decode(ReadOnlySpan<byte> payload, Span<short> decodedFrame)
    {
        if ((payload.Length & 1) != 0)
        {
            return 0; // half a sample: not an L16 payload
        }

        int samples = payload.Length / sizeof(short);
        if (decodedFrame.Length < samples)
        {
            throw new ArgumentException($"A {payload.Length}-byte L16 payload is {samples} samples; the frame has {decodedFrame.Length}.", nameof(decodedFrame));
        }

        L16Samples.SwapNetworkOrder(MemoryMarshal.Cast<byte, short>(payload), decodedFrame[..samples]);
        _lastFrameSamples = Math.Min(samples, _lastFrame.Length);
        decodedFrame[.._lastFrameSamples].CopyTo(_lastFrame);
        return samples;
    }

    public int Conceal(Span<short> decodedFrame)
    {
        int count = Math.Min(_lastFrameSamples, decodedFrame.Length);
        for (int i = 0; i < count; i++)
        {
            decodedFrame[i] = (short)(_lastFrame[i] * (count - 1 - i) / count);
        }

        decodedFrame[count..].Clear();
        _lastFrameSamples = 0;
        return decodedFrame.Length;
    }

    public void Dispose() { }
}

/// <summary>
/// The byte-order conversion of L16 payloads (network order is big-endian), vectorised by the runtime. The same swap
/// serves both directions.
/// </summary>
internal static class L16Samples
{
    public static void SwapNetworkOrder(ReadOnlySpan<short> source, Span<short> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(source, destination);
        }
        else
        {
            source.CopyTo(destination);
        }
    }
}
