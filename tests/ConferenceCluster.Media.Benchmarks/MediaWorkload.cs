using ConferenceCluster.Media.Codecs.Opus;

namespace ConferenceCluster.Media.Benchmarks;

/// <summary>
/// The same media as the Janus anchor's load generator (shared/anchors/janus/loadgen.py): participant i sends a
/// tone at 200 + 7·i Hz with amplitude 6000/√N, pre-encoded once as 48 kHz mono 20 ms Opus, VOIP, 32 kbit/s,
/// complexity 10, signal voice (hybrid-mode packets of about 65–74 bytes), replayed in a loop. Everybody talks
/// all the time: the worst case.
/// </summary>
internal sealed class MediaWorkload
{
    public const int LoopFrames = 50; // 1 s, as in the anchor

    public MediaWorkload(int participants)
    {
        Participants = participants;
        Packets = new byte[participants][][];
        DecodedFrames = new short[participants][];
        MixPcm = new short[LoopFrames][];
        var mixBus = new int[LoopFrames][];
        for (int frame = 0; frame < LoopFrames; frame++)
        {
            mixBus[frame] = new int[AudioFormat.MixFrameSamples];
        }

        double amplitude = 6000 / Math.Sqrt(participants);
        var pcm = new short[AudioFormat.MixFrameSamples];
        var packet = new byte[AudioFormat.MaxEncodedFrameBytes];
        for (int p = 0; p < participants; p++)
        {
            using var encoder = new OpusFrameEncoder(Codecs.EncoderProfile.ForOpus(bitrateBps: 32_000, complexity: 10));
            using var decoder = new OpusFrameDecoder();
            double frequency = 200 + 7 * p;
            Packets[p] = new byte[LoopFrames][];
            DecodedFrames[p] = new short[AudioFormat.MixFrameSamples];
            for (int frame = 0; frame < LoopFrames; frame++)
            {
                for (int s = 0; s < pcm.Length; s++)
                {
                    long n = (long)frame * pcm.Length + s;
                    pcm[s] = (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * frequency * n / AudioFormat.MixSampleRate));
                }

                int bytes = encoder.Encode(pcm, packet);
                Packets[p][frame] = packet.AsSpan(0, bytes).ToArray();
                decoder.Decode(Packets[p][frame], DecodedFrames[p]); // the last decoded frame feeds the mixer-only case
                for (int s = 0; s < pcm.Length; s++)
                {
                    mixBus[frame][s] += DecodedFrames[p][s];
                }
            }
        }

        for (int frame = 0; frame < LoopFrames; frame++)
        {
            MixPcm[frame] = mixBus[frame].Select(sum => (short)Math.Clamp(sum, short.MinValue, short.MaxValue)).ToArray();
        }
    }

    public int Participants { get; }

    /// <summary>[participant][frame]: the incoming Opus payloads.</summary>
    public byte[][][] Packets { get; }

    /// <summary>[participant]: one decoded 48 kHz frame each (for the mixer-only case).</summary>
    public short[][] DecodedFrames { get; }

    /// <summary>[frame]: the full mix of everybody's decoded frame, what each encoder gets in the codec-floor case.</summary>
    public short[][] MixPcm { get; }
}
