using System.Diagnostics;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Codecs.G711;

namespace ConferenceCluster.Media.Tests.Support;

/// <summary>
/// What the end-to-end tests' test phones send and how what they heard is measured: tone payloads, decoding
/// the received payloads, per-frame tone amplitudes, and the 20 ms send schedule.
/// </summary>
internal static class TonePhones
{
    public static byte[][] EncodePcmuTone(int frames, double frequency, double amplitude = 6000)
    {
        var payloads = new byte[frames][];
        for (int frame = 0; frame < frames; frame++)
        {
            short[] pcm = Signals.Sine(160, frequency, amplitude, 8000, frame * 160L);
            payloads[frame] = new byte[160];
            G711MuLaw.Encode(pcm, payloads[frame]);
        }

        return payloads;
    }

    /// <summary>Decodes what a phone received (Opus at 48 kHz, or PCMU at 8 kHz) into one PCM track.</summary>
    public static (short[] Pcm, int SampleRate) Decode(AudioCodec codec, IEnumerable<byte[]> payloads)
    {
        var pcm = new List<short>();
        if (codec == AudioCodec.Opus)
        {
            using var decoder = new Media.Codecs.Opus.OpusFrameDecoder();
            var frame = new short[5760];
            foreach (byte[] payload in payloads)
            {
                int samples = decoder.Decode(payload, frame);
                pcm.AddRange(frame.AsSpan(0, samples).ToArray());
            }

            return (pcm.ToArray(), 48000);
        }

        foreach (byte[] payload in payloads)
        {
            var narrowband = new short[payload.Length];
            G711MuLaw.Decode(payload, narrowband);
            pcm.AddRange(narrowband);
        }

        return (pcm.ToArray(), 8000);
    }

    /// <summary>
    /// The median over 20 ms frames of a tone's amplitude, from a quarter of the way in to a tenth before the end.
    /// Every test tone has a whole number of cycles per 20 ms, so each frame's Goertzel is exact whatever its phase;
    /// the median ignores the few frames a loaded machine spoils (a stalled sender, a concealed frame).
    /// </summary>
    public static double MedianFrameAmplitude(short[] pcm, int rate, double frequency)
    {
        int frame = rate / 50;
        int frames = pcm.Length / frame;
        if (frames < 50)
        {
            throw new InvalidOperationException($"only {frames} frames were received");
        }

        var amplitudes = new List<double>();
        for (int i = frames / 4; i < frames - frames / 10; i++)
        {
            amplitudes.Add(Goertzel.Amplitude(pcm.AsSpan(i * frame, frame), frequency, rate));
        }

        amplitudes.Sort();
        return amplitudes[amplitudes.Count / 2];
    }

    /// <summary>
    /// Each phone sends its payloads (cycled) every 20 ms on an absolute schedule and keeps what it receives, then
    /// waits <paramref name="tailFrames"/> more frames to collect the tail. A dedicated thread, not the thread pool:
    /// other test classes run in parallel and would delay pool continuations.
    /// </summary>
    /// <param name="onFrame">Called on that thread before each frame is sent, with the frame number.</param>
    /// <param name="send">How phone i sends its frame (default: plain <see cref="RtpTestEndpoint.SendFrame(ReadOnlySpan{byte})"/>).</param>
    /// <param name="onFrameDone">Called after each frame was sent, with the frame number.</param>
    public static void Run(RtpTestEndpoint[] phones, byte[][][] payloads, int frames, int tailFrames, Action<int>? onFrame = null,
        Action<RtpTestEndpoint, int, byte[]>? send = null, Action<int>? onFrameDone = null)
    {
        var sender = new Thread(() =>
        {
            long start = Stopwatch.GetTimestamp();
            for (int frame = 0; frame < frames; frame++)
            {
                onFrame?.Invoke(frame);
                for (int i = 0; i < phones.Length; i++)
                {
                    byte[] payload = payloads[i][frame % payloads[i].Length];
                    if (send is null)
                    {
                        phones[i].SendFrame(payload);
                    }
                    else
                    {
                        send(phones[i], i, payload);
                    }

                    phones[i].DrainReceived();
                }

                onFrameDone?.Invoke(frame);

                SleepUntil(start, frame + 1);
            }

            SleepUntil(start, frames + tailFrames);
            foreach (RtpTestEndpoint phone in phones)
            {
                phone.DrainReceived();
            }
        })
        { Name = "test-phones", Priority = ThreadPriority.Highest };
        sender.Start();
        if (!sender.Join(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("the phones' thread did not finish");
        }
    }

    /// <summary>Sleeps until <paramref name="frame"/> × 20 ms after <paramref name="start"/> (an absolute schedule: no drift).</summary>
    public static void SleepUntil(long start, int frame)
    {
        TimeSpan remaining = TimeSpan.FromMilliseconds(20 * frame) - Stopwatch.GetElapsedTime(start);
        if (remaining > TimeSpan.Zero)
        {
            Thread.Sleep(remaining);
        }
    }
}
