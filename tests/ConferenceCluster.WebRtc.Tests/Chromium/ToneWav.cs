using System.Buffers.Binary;

namespace ConferenceCluster.WebRtc.Tests.Chromium;

/// <summary>A 48 kHz mono 16-bit WAV of a sine, for Chromium's fake microphone (it loops the file).</summary>
internal static class ToneWav
{
    public static string Write(double frequency, double seconds = 4, double amplitude = 8000)
    {
        const int rate = 48000;
        int samples = (int)(rate * seconds);
        var bytes = new byte[44 + samples * 2];
        Span<byte> wav = bytes;
        "RIFF"u8.CopyTo(wav);
        BinaryPrimitives.WriteInt32LittleEndian(wav[4..], 36 + samples * 2);
        "WAVEfmt "u8.CopyTo(wav[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(wav[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(wav[20..], 1); // PCM
        BinaryPrimitives.WriteInt16LittleEndian(wav[22..], 1); // mono
        BinaryPrimitives.WriteInt32LittleEndian(wav[24..], rate);
        BinaryPrimitives.WriteInt32LittleEndian(wav[28..], rate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(wav[32..], 2);
        BinaryPrimitives.WriteInt16LittleEndian(wav[34..], 16);
        "data"u8.CopyTo(wav[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(wav[40..], samples * 2);
        for (int i = 0; i < samples; i++)
        {
            // A whole number of cycles in the file, so its loop point is seamless.
            short sample = (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * frequency * i / rate));
            BinaryPrimitives.WriteInt16LittleEndian(wav[(44 + 2 * i)..], sample);
        }

        string path = Path.Combine(Path.GetTempPath(), $"cc-tone-{frequency:F0}-{Guid.NewGuid():N}.wav");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
