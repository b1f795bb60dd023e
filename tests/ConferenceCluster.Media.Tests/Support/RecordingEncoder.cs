using ConferenceCluster.Media.Codecs;

namespace ConferenceCluster.Media.Tests.Support;

/// <summary>
/// A stand-in encoder that counts its calls and writes a payload identifying the PCM it was given (its first
/// samples), so mixer tests can check who encodes what without a real codec.
/// </summary>
internal sealed class RecordingEncoder(EncoderProfile profile) : IAudioFrameEncoder
{
    public EncoderProfile Profile { get; } = profile;

    public int EncodeCount { get; private set; }

    public bool Disposed { get; private set; }

    public int Encode(ReadOnlySpan<short> mixPcm, Span<byte> encodedPayload)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        EncodeCount++;
        int samples = Math.Min(4, mixPcm.Length);
        for (int i = 0; i < samples; i++)
        {
            BitConverter.TryWriteBytes(encodedPayload[(i * 2)..], mixPcm[i]);
        }

        return samples * 2;
    }

    public void Dispose() => Disposed = true;
}

/// <summary>Creates <see cref="RecordingEncoder"/>s and keeps them for inspection.</summary>
internal sealed class RecordingEncoderFactory
{
    public List<RecordingEncoder> Created { get; } = [];

    public int TotalEncodes => Created.Sum(encoder => encoder.EncodeCount);

    public IAudioFrameEncoder Create(EncoderProfile profile)
    {
        var encoder = new RecordingEncoder(profile);
        Created.Add(encoder);
        return encoder;
    }
}
