namespace ConferenceCluster.Media.Codecs.G711;

/// <summary>
/// ITU-T G.711 μ-law (PCMU, RTP payload type 0), table-driven: 16-bit linear in, 14-bit magnitude used, bias
/// 0x84, inverted code bits. Decoding is the reference Sun/CCITT <c>g711.c</c>; encoding takes negative samples'
/// magnitude as a one's complement, like the ITU-T G.191 STL and spandsp, so −1 codes as 0x7F (the mirror of
/// 0 → 0xFF) rather than g711.c's 0x7E.
/// </summary>
public static class G711MuLaw
{
    private const int Bias = 0x84;
    private const int Clip = 8159; // largest biased 14-bit magnitude the 8 segments can represent

    /// <summary>Code → 16-bit linear sample (256 entries). Code 0x00 is −32124, 0x80 is +32124, 0xFF and 0x7F are 0.</summary>
    private static readonly short[] CodeToLinear = BuildDecodeTable();

    /// <summary>
    /// 14-bit linear (sample &gt;&gt; 2, two's complement, 16384 entries) → code. The dropped two bits never change the
    /// code, for negative samples too, since ~(s &gt;&gt; 2) == (~s) &gt;&gt; 2.
    /// </summary>
    private static readonly byte[] LinearToCode = BuildEncodeTable();

    /// <summary>Encodes one 16-bit linear sample.</summary>
    public static byte Encode(short sample) => LinearToCode[(sample >> 2) & 0x3FFF];

    /// <summary>Decodes one code to a 16-bit linear sample.</summary>
    public static short Decode(byte code) => CodeToLinear[code];

    /// <summary>Encodes PCM samples (8 kHz) into a PCMU payload, one byte per sample.</summary>
    public static void Encode(ReadOnlySpan<short> pcm, Span<byte> payload)
    {
        if (payload.Length < pcm.Length)
        {
            throw new ArgumentException($"The PCMU payload needs {pcm.Length} bytes but has {payload.Length}.", nameof(payload));
        }

        byte[] table = LinearToCode;
        for (int i = 0; i < pcm.Length; i++)
        {
            payload[i] = table[(pcm[i] >> 2) & 0x3FFF];
        }
    }

    /// <summary>Decodes a PCMU payload into PCM samples (8 kHz), one sample per byte.</summary>
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
        int magnitude;
        int mask;
        if (sample < 0)
        {
            magnitude = ~sample >> 2; // one's complement: −1…−4 map to magnitude 0, mirroring 0…3
            mask = 0x7F;
        }
        else
        {
            magnitude = sample >> 2;
            mask = 0xFF;
        }

        if (magnitude > Clip)
        {
            magnitude = Clip;
        }

        magnitude += Bias >> 2;
        int segment = SegmentOf(magnitude);
        if (segment >= 8)
        {
            return (byte)(0x7F ^ mask);
        }

        int code = (segment << 4) | ((magnitude >> (segment + 1)) & 0xF);
        return (byte)(code ^ mask);
    }

    internal static short DecodeReference(byte code)
    {
        int inverted = ~code & 0xFF;
        int linear = ((inverted & 0x0F) << 3) + Bias;
        linear <<= (inverted & 0x70) >> 4;
        return (short)((inverted & 0x80) != 0 ? Bias - linear : linear - Bias);
    }

    // Segment end points of the biased 14-bit magnitude (seg_uend in g711.c).
    private static int SegmentOf(int biasedMagnitude)
    {
        int end = 0x3F;
        for (int segment = 0; segment < 8; segment++, end = (end << 1) | 1)
        {
            if (biasedMagnitude <= end)
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
        var table = new byte[16384];
        for (int index = 0; index < table.Length; index++)
        {
            // Sign-extend the 14-bit index back to a 16-bit sample with the two dropped bits zero.
            short sample = (short)((index << 18) >> 16);
            table[index] = EncodeReference(sample);
        }

        return table;
    }
}
