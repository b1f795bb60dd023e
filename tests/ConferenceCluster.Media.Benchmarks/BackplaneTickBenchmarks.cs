using BenchmarkDotNet.Attributes;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Codecs.Opus;
using ConferenceCluster.Media.Mixing;

namespace ConferenceCluster.Media.Benchmarks;

/// <summary>
/// The CPU cost of backplane hops: one 20 ms tick of a conference of 10 Opus endpoints (all talking, 4 loudest
/// mixed, real decoders and encoders: <see cref="MediaWorkload"/>) with 0, 1 or 2 backplane legs, whose codec is
/// <see cref="Codec"/>. Each leg adds what a node does per tick for one backplane: decode the aggregate that came
/// in (a pre-encoded full mix), mix it, and encode its own mix-minus. (Tick − <see cref="NoBackplane"/>) ÷ legs is
/// the cost of one backplane hop end per conference per tick; the Ratio column compares with no backplane. That
/// difference also holds a second-order effect: the endpoints' Opus encoders now encode a richer mix (the remote
/// voices). <see cref="OneLegCodecWorkOnly"/> isolates the leg's own codec work: one decode of what came in and one
/// encode of what goes out.
/// </summary>
[MemoryDiagnoser]
public class BackplaneTickBenchmarks
{
    private const int Endpoints = 10;

    private MediaWorkload _workload = null!;
    private OpusFrameDecoder[] _endpointDecoders = null!;
    private IAudioFrameDecoder[] _backplaneDecoders = null!;
    private byte[][] _backplanePayloads = null!;
    private short[] _decodedFrame = null!;
    private ConferenceMixer[] _mixers = null!;
    private IAudioFrameEncoder _legEncoder = null!;
    private byte[] _legPayload = null!;
    private int _frame;

    public enum BackplaneCodec { L16, Opus }

    [Params(BackplaneCodec.L16, BackplaneCodec.Opus)]
    public BackplaneCodec Codec { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _workload = new MediaWorkload(Endpoints);
        _endpointDecoders = Enumerable.Range(0, Endpoints).Select(_ => new OpusFrameDecoder()).ToArray();
        EncoderProfile profile = Codec == BackplaneCodec.L16 ? EncoderProfile.L16 : EncoderProfile.OpusBackplane;
        _backplaneDecoders = Enumerable.Range(0, 2).Select(_ => AudioFrameCodecs.CreateDecoder(profile.Codec)).ToArray();
        using (IAudioFrameEncoder encoder = AudioFrameCodecs.CreateEncoder(profile))
        {
            var payload = new byte[AudioFormat.MaxPayloadBytes];
            _backplanePayloads = _workload.MixPcm.Select(mix => payload.AsSpan(0, encoder.Encode(mix, payload)).ToArray()).ToArray();
        }

        _legEncoder = AudioFrameCodecs.CreateEncoder(profile);
        _legPayload = new byte[AudioFormat.MaxPayloadBytes];
        _decodedFrame = new short[AudioFormat.MixFrameSamples];
        _mixers = new ConferenceMixer[3];
        for (int backplanes = 0; backplanes < _mixers.Length; backplanes++)
        {
            var mixer = new ConferenceMixer();
            for (int p = 0; p < Endpoints; p++)
            {
                mixer.AddParticipant(new MixerParticipantId(p), EncoderProfile.OpusVoice);
            }

            for (int b = 0; b < backplanes; b++)
            {
                mixer.AddParticipant(new MixerParticipantId(Endpoints + b), profile, MixRole.LocalBackplane);
            }

            _mixers[backplanes] = mixer;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (OpusFrameDecoder decoder in _endpointDecoders)
        {
            decoder.Dispose();
        }

        foreach (IAudioFrameDecoder decoder in _backplaneDecoders)
        {
            decoder.Dispose();
        }

        foreach (ConferenceMixer mixer in _mixers)
        {
            mixer.Dispose();
        }

        _legEncoder.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int NoBackplane() => Tick(0);

    [Benchmark]
    public int OneBackplane() => Tick(1);

    [Benchmark]
    public int TwoBackplanes() => Tick(2);

    [Benchmark]
    public int OneLegCodecWorkOnly()
    {
        int frame = _frame;
        _frame = (frame + 1) % MediaWorkload.LoopFrames;
        _backplaneDecoders[0].Decode(_backplanePayloads[frame], _decodedFrame);
        return _legEncoder.Encode(_workload.MixPcm[frame], _legPayload);
    }

    private int Tick(int backplanes)
    {
        int frame = _frame;
        _frame = (frame + 1) % MediaWorkload.LoopFrames;
        ConferenceMixer mixer = _mixers[backplanes];
        for (int p = 0; p < Endpoints; p++)
        {
            int samples = _endpointDecoders[p].Decode(_workload.Packets[p][frame], _decodedFrame);
            mixer.SubmitFrame(new MixerParticipantId(p), _decodedFrame.AsSpan(0, samples));
        }

        for (int b = 0; b < backplanes; b++)
        {
            _backplaneDecoders[b].Decode(_backplanePayloads[frame], _decodedFrame);
            mixer.SubmitFrame(new MixerParticipantId(Endpoints + b), _decodedFrame);
        }

        return mixer.Mix().EncodeCount;
    }

    /// <summary>
    /// The same cases costed in process CPU time (<see cref="CpuTimeProbe.Measure"/>), steadier than BenchmarkDotNet's
    /// wall clock on a shared machine. Usage: <c>--backplane-cpu [ticks]</c>, default 500.
    /// </summary>
    internal static void RunCpuProbe(string[] args)
    {
        int ticks = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 500;
        Console.WriteLine($"Backplane CPU-time probe: {Endpoints} Opus endpoints, Top-4; at least {ticks} ticks per case; {Environment.ProcessorCount} cores; load average at start {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("| Backplane codec | Case | CPU ms per tick | wall ms per tick | CPU vs no backplane |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        foreach (BackplaneCodec codec in Enum.GetValues<BackplaneCodec>())
        {
            var benchmarks = new BackplaneTickBenchmarks { Codec = codec };
            benchmarks.Setup();
            (string Name, Func<int> Tick)[] cases =
            [
                (nameof(NoBackplane), benchmarks.NoBackplane),
                (nameof(OneBackplane), benchmarks.OneBackplane),
                (nameof(TwoBackplanes), benchmarks.TwoBackplanes),
                (nameof(OneLegCodecWorkOnly), benchmarks.OneLegCodecWorkOnly),
            ];
            double baseline = double.NaN;
            foreach ((string name, Func<int> tick) in cases)
            {
                (double cpuMs, double wallMs) = CpuTimeProbe.Measure(tick, ticks);
                baseline = double.IsNaN(baseline) ? cpuMs : baseline;
                Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"| {codec} | {name} | {cpuMs:F4} | {wallMs:F4} | {cpuMs / baseline:F3} |"));
            }

            benchmarks.Cleanup();
        }
    }
}
