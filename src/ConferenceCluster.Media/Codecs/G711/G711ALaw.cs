namespace ConferenceCluster.Media.Codecs.G711;

/// <summary>
/// ITU-T G.711 A-law (PCMA, RTP payload type 8), table-driven. Codes and levels match the reference
/// Sun/CCITT <c>g711.c</c>: 13-bit magnitude used, even bits inverted (XOR 0x55).
/// </summary>
public static class G711ALaw
{
    /// <summary>Code → 16-bit linear sample (256 entries). 0xD5 is +8, 0x55 is −8, 0xAA is +32256, 0x2A is −32256.</summary>
    private static readonly short[] CodeToLinear = BuildDecodeTable();

    /// <summary>13-bit linear (sample &gt;&gt; 3, two's complement, 8192 entries) → code.</summary>
    private static readonly byte[] LinearToCode = BuildEncodeTable();

    /// <summary>Encodes one 16-bit linear sample.</summary>
    public static byte Encode(short sample) => LinearToCode[(sample >> 3) & 0x1FFF];

    /// <summary>Decodes one code to a 16-bit linear sample.</summary>
    public static short Decode(byte code) => CodeToLinear[code];

    /// <summary>Encodes PCM samples (8 kHz) into a PCMA payload, one byte per sample.</summary>
    public static void Encode(ReadOnlySpan<short> pcm, Span<byte> payload)
    {
        if (payload.Length < pcm.Length)
        {
            throw new ArgumentException($"The PCMA payload needs {pcm.Length} bytes but has {payload.Length}.", nameof(payload));
        }

        byte[] table = LinearToCode;
        for (int i = 0; i < pcm.Length; i++)
        {
            payload[i] = table[(pcm[i] >> 3) & 0x1FFF];
        }
    }

    /// <summary>Decodes a PCMA payload into PCM samples (8 kHz), one sample per byte.</summary>
    public static void Decode(ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        if (pcm.Length < payload.Length)
        {
            throw new ArgumentException($"The PCM buffer needs {payload.Length} samples but has {pcm.Length}.", nameof(pcm));
        }

        short[] table = CodeToLinear;
        for (int i = 0; i < payload.Length; i++)
        {
            pcm[i] = table[payload[i]];
        }
    }

    /// <summary>The reference algorithm, used once per table entry.</summary>
    internal static byte EncodeReference(short sample)
    {
        int magnitude = sample >> 3;
        int mask;
        if (magnitude >= 0)
        {
            mask = 0xD5; // sign bit set, even bits inverted
        }
        else
        {
            mask = 0x55;
            magnitude = -magnitude - 1;
        }

        int segment = SegmentOf(magnitude);
        if (segment >= 8)
        {
            return (byte)(0x7F ^ mask);
        }

        int code = segment << 4;
        code |= segment < 2 ? (magnitude >> 1) & 0xF : (magnitude >> segment) & 0xF;
        return (byte)(code ^ mask);
    }

    internal static short DecodeReference(byte code)
    {
        int toggled = code ^ 0x55;
        int linear = (toggled & 0x0F) << 4;
        int segment = (toggled & 0x70) >> 4;
        switch (segment)
        {
            case 0:
                linear += 8;
                break;
            case 1:
                linear += 0x108;
                break;
            default:
                linear += 0x108;
                linear <<= segment - 1;
                break;
        }

        return (short)((toggled & 0x80) != 0 ? linear : -linear);
    }

    // Segment end points of the 13-bit magnitude (seg_aend in g711.c).
    private static int SegmentOf(int magnitude)
    {
        int end = 0x1F;
        for (int segment = 0; segment < 8; segment++, end = (end << 1) | 1)
        {
            if (magnitude <= end)
            {
                return segment;
            }
        }

        return 8;
    }

    private static short[] BuildDecodeTable()
    {
        var table = new short[256];
        for (int code = 0; code < 256; code++)
        {
            table[code] = DecodeReference((byte)code);
        }

        return table;
    }

    private static byte[] BuildEncodeTable()
    {
        var table = new byte[8192];
        for (int index = 0; index < table.Length; index++)
        {
            short sample = (short)((index << 19) >> 16);
            table[index] = EncodeReference(sample);
        }

        return table;
    }
}
