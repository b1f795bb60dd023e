using System.Buffers.Binary;
using System.Collections.Concurrent;

namespace ConferenceCluster.Conferencing.Services.Prompts;

/// <summary>A prompt's audio: mono 16-bit PCM at <paramref name="SampleRate"/>.</summary>
public sealed record PromptAudio(string Id, int SampleRate, short[] Samples)
{
    public TimeSpan Duration => TimeSpan.FromSeconds((double)Samples.Length / SampleRate);
}

/// <summary>
/// Loads the prompt WAV files embedded in this assembly (made by <c>scripts/make-prompts.sh</c>). They are
/// 8 kHz mono 16-bit PCM; the media path resamples them to whatever the mixer runs at. Loaded once per id.
/// </summary>
public static class PromptLibrary
{
    private const string ResourcePrefix = "ConferenceCluster.Conferencing.Services.Prompts.";
    private static readonly ConcurrentDictionary<string, PromptAudio> Cache = new();

    /// <summary>The ids that have audio in this assembly.</summary>
    public static IReadOnlyList<string> AvailableIds { get; } =
        typeof(PromptLibrary).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".wav", StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..^".wav".Length])
            .Order(StringComparer.Ordinal)
            .ToArray();

    public static PromptAudio Load(string id) => Cache.GetOrAdd(id, static id =>
    {
        using var stream = typeof(PromptLibrary).Assembly.GetManifestResourceStream(ResourcePrefix + id + ".wav")
            ?? throw new KeyNotFoundException($"No audio for prompt \"{id}\".");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return ParseWav(id, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    });

    /// <summary>Reads a RIFF/WAVE file of mono 16-bit PCM; anything else is refused rather than misplayed.</summary>
    public static PromptAudio ParseWav(string id, ReadOnlySpan<byte> file)
    {
        if (file.Length < 12 || !file[..4].SequenceEqual("RIFF"u8) || !file[8..12].SequenceEqual("WAVE"u8))
            throw new InvalidDataException($"Prompt \"{id}\" is not a RIFF/WAVE file.");
        int? sampleRate = null;
        var offset = 12;
        while (offset + 8 <= file.Length)
        {
            var chunkId = file.Slice(offset, 4);
            var size = BinaryPrimitives.ReadInt32LittleEndian(file.Slice(offset + 4, 4));
            var body = file.Slice(offset + 8, Math.Min(size, file.Length - offset - 8));
            if (chunkId.SequenceEqual("fmt "u8))
            {
                var format = BinaryPrimitives.ReadUInt16LittleEndian(body);
                var channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                var bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
                // 0xFFFE is WAVE_FORMAT_EXTENSIBLE, which sox writes for some outputs; the sub-format is still PCM.
                if (format is not (1 or 0xFFFE) || channels != 1 || bits != 16)
                    throw new InvalidDataException($"Prompt \"{id}\" must be mono 16-bit PCM (format {format}, {channels} channels, {bits} bits).");
                sampleRate = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
            }
            else if (chunkId.SequenceEqual("data"u8))
            {
                if (sampleRate is null) throw new InvalidDataException($"Prompt \"{id}\" has its data before its format.");
                var samples = new short[body.Length / 2];
                for (var i = 0; i < samples.Length; i++)
                    samples[i] = BinaryPrimitives.ReadInt16LittleEndian(body.Slice(2 * i, 2));
                return new PromptAudio(id, sampleRate.Value, samples);
            }
            offset += 8 + size + (size & 1); // chunks are padded to even length
        }
        throw new InvalidDataException($"Prompt \"{id}\" has no data chunk.");
    }
}
