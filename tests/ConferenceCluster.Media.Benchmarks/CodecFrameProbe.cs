using System.Globalization;
using Concentus;

using ConferenceCluster.Media.Codecs.Opus;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Benchmarks;

/// <summary>
/// Opus cost per 20 ms frame, by implementation: one decode of a hybrid 32 kbit/s packet (the Janus anchor's input)
/// plus one complexity-4 VOIP encode of a 20 ms mix (the anchor's output settings), on one thread, costed by that
/// thread's CPU time. Concentus native (libopus through Concentus) against Concentus managed in the same run.
/// </summary>
/// <remarks>Usage: <c>--codec-frame [seconds per case]</c>.</remarks>
internal static class CodecFrameProbe
{
    public static void Run(string[] args)
    {
        double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        var workload = new MediaWorkload(50);
        Console.WriteLine($"Opus per 20 ms frame, {seconds} s of thread CPU per case; process implementation: {OpusCodecs.Implementation}");
        Console.WriteLine("| implementation | decode µs | encode µs | decode + encode µs | vs native |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        var cases = new List<(string Name, Func<IOpusDecoder> Decoder, Func<IOpusEncoder> Encoder)>();
        if (OpusCodecs.Implementation.Path == OpusCodecPath.Native)
        {
            cases.Add(("Concentus native (libopus)", () => OpusCodecs.CreateDecoder(OpusCodecPath.Native, 48000, 1), () => OpusCodecs.CreateEncoder(OpusCodecPath.Native, 48000, 1, Concentus.Enums.OpusApplication.OPUS_APPLICATION_VOIP)));
        }

        cases.Add(("Concentus managed", () => OpusCodecs.CreateDecoder(OpusCodecPath.Managed, 48000, 1), () => OpusCodecs.CreateEncoder(OpusCodecPath.Managed, 48000, 1, Concentus.Enums.OpusApplication.OPUS_APPLICATION_VOIP)));
        double? reference = null;
        foreach (var c in cases)
        {
            (double decode, double encode) = Measure(workload, c.Decoder, c.Encoder, seconds);
            reference ??= decode + encode;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {c.Name} | {decode:F1} | {encode:F1} | {decode + encode:F1} | {(decode + encode) / reference.Value:F2}x |"));
        }
    }

    private static (double DecodeMicroseconds, double EncodeMicroseconds) Measure(MediaWorkload workload, Func<IOpusDecoder> createDecoder, Func<IOpusEncoder> createEncoder, double seconds)
    {
        (double, double) result = default;
        var thread = new Thread(() =>
        {
            using IOpusDecoder decoder = createDecoder();
            using IOpusEncoder encoder = createEncoder();
            encoder.Complexity = 4;
            encoder.SignalType = Concentus.Enums.OpusSignal.OPUS_SIGNAL_VOICE;
            encoder.Bitrate = -1000; // OPUS_AUTO
            var pcm = new short[AudioFormat.MixFrameSamples];
            var packet = new byte[AudioFormat.MaxEncodedFrameBytes];
            byte[][] input = workload.Packets[0];
            double decodeSeconds = Time(seconds, frame => decoder.Decode(input[frame % input.Length], pcm, AudioFormat.MixFrameSamples, false));
            double encodeSeconds = Time(seconds, frame => encoder.Encode(workload.MixPcm[frame % workload.MixPcm.Length], AudioFormat.MixFrameSamples, packet, packet.Length));
            result = (decodeSeconds * 1e6, encodeSeconds * 1e6);
        });
        thread.Start();
        thread.Join();
        return result;
    }

    /// <returns>CPU seconds per call.</returns>
    private static double Time(double seconds, Action<int> call)
    {
        for (int i = 0; i < 100; i++)
        {
            call(i);
        }

        TimeSpan start = ThreadCpuClock.CurrentThread();
        int calls = 0;
        while ((ThreadCpuClock.CurrentThread() - start).TotalSeconds < seconds)
        {
            for (int i = 0; i < 50; i++)
            {
                call(calls++);
            }
        }

        return (ThreadCpuClock.CurrentThread() - start).TotalSeconds / calls;
    }
}
