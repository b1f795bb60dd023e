namespace ConferenceCluster.Gateway.Tests.Support;

/// <summary>G.711 decoding, WAV files, and the measures the audio checks use (RMS, Goertzel).</summary>
internal static class Audio
{
    /// <summary>ITU-T G.711 A-law to 16-bit linear.</summary>
    public static short DecodeALaw(byte value)
    {
        value ^= 0x55;
        var sign = value & 0x80;
        var exponent = (value >> 4) & 0x07;
        var mantissa = value & 0x0F;
        var magnitude = exponent == 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
        return (short)(sign != 0 ? magnitude : -magnitude);
    }

    /// <summary>ITU-T G.711 µ-law to 16-bit linear.</summary>
    public static short DecodeMuLaw(byte value)
    {
        value = (byte)~value;
        var sign = value & 0x80;
        var exponent = (value >> 4) & 0x07;
        var mantissa = value & 0x0F;
        var magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
        return (short)(sign != 0 ? -magnitude : magnitude);
    }

    public static double Rms(ReadOnlySpan<short> samples)
    {
        if (samples.IsEmpty) return 0;
        double sum = 0;
        foreach (var s in samples) sum += (double)s * s;
        return Math.Sqrt(sum / samples.Length);
    }

    /// <summary>Goertzel: the power of <paramref name="frequency"/> in the samples, normalised by their count.</summary>
    public static double Goertzel(ReadOnlySpan<short> samples, int sampleRate, double frequency)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / sampleRate);
        double previous = 0, beforePrevious = 0;
        foreach (var sample in samples)
        {
            var current = sample + coefficient * previous - beforePrevious;
            beforePrevious = previous;
            previous = current;
        }
        var power = previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
        return power / ((double)samples.Length * samples.Length);
    }

    /// <summary>A tone's amplitude in a recording: Goertzel over 100 ms blocks (robust to the odd concealed frame), power averaged.</summary>
    public static double ToneAmplitude(short[] samples, int rate, double frequency)
    {
        var block = rate / 10;
        double sum = 0;
        var count = 0;
        for (var start = 0; start + block <= samples.Length; start += block, count++)
            sum += Goertzel(samples.AsSpan(start, block), rate, frequency);
        // For a sine of amplitude A the normalised Goertzel power is A²/4.
        return count == 0 ? 0 : 2 * Math.Sqrt(sum / count);
    }

    /// <summary>A 16-bit PCM WAV file: its rate and its samples mixed down to mono.</summary>
    public static (int SampleRate, short[] Samples) ReadWav(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 12 || System.Text.Encoding.ASCII.GetString(bytes, 0, 4) != "RIFF")
            throw new InvalidDataException($"{path} is not a RIFF/WAV file ({bytes.Length} bytes)");
        int channels = 0, sampleRate = 0, bits = 0, offset = 12;
        while (offset + 8 <= bytes.Length)
        {
            var id = System.Text.Encoding.ASCII.GetString(bytes, offset, 4);
            var size = BitConverter.ToInt32(bytes, offset + 4);
            var body = offset + 8;
            if (id == "fmt ")
            {
                channels = BitConverter.ToInt16(bytes, body + 2);
                sampleRate = BitConverter.ToInt32(bytes, body + 4);
                bits = BitConverter.ToInt16(bytes, body + 14);
            }
            else if (id == "data")
            {
                if (bits != 16 || channels < 1) throw new InvalidDataException($"{path}: {bits}-bit, {channels} channels; expected 16-bit PCM");
                // A recorder killed mid-call may leave the size unset: take what is there.
                var length = size <= 0 || body + size > bytes.Length ? bytes.Length - body : size;
                var frames = length / (2 * channels);
                var mono = new short[frames];
                for (var i = 0; i < frames; i++)
                {
                    var sum = 0;
                    for (var c = 0; c < channels; c++) sum += BitConverter.ToInt16(bytes, body + 2 * (i * channels + c));
                    mono[i] = (short)(sum / channels);
                }
                return (sampleRate, mono);
            }
            offset = body + size + (size & 1);
        }
        throw new InvalidDataException($"{path} has no data chunk");
    }

    /// <summary>Writes a sine tone as a 16-bit PCM WAV (all channels the same).</summary>
    public static void WriteTone(string path, double frequency, int sampleRate, int channels, double seconds, double amplitude = 0.3)
    {
        var frames = (int)(sampleRate * seconds);
        using var stream = File.Create(path);
        using var writer = new BinaryWriter(stream);
        var dataBytes = frames * channels * 2;
        writer.Write("RIFF"u8);
        writer.Write(36 + dataBytes);
        writer.Write("WAVE"u8);
        writer.Write("fmt "u8);
        writer.Write(16);
        writer.Write((short)1);
        writer.Write((short)channels);
        writer.Write(sampleRate);
        writer.Write(sampleRate * channels * 2);
        writer.Write((short)(channels * 2));
        writer.Write((short)16);
        writer.Write("data"u8);
        writer.Write(dataBytes);
        for (var i = 0; i < frames; i++)
        {
            var sample = (short)(amplitude * short.MaxValue * Math.Sin(2 * Math.PI * frequency * i / sampleRate));
            for (var c = 0; c < channels; c++) writer.Write(sample);
        }
    }
}
