using BenchmarkDotNet.Attributes;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Codecs.Opus;
using ConferenceCluster.Media.Mixing;

namespace ConferenceCluster.Media.Benchmarks;

/// <summary>
/// One 20 ms tick of one conference with N participants, all talking. Each benchmark method is one tick, so
/// "Participants/core" = N × 20 ms ÷ mean, and "vs codec floor" compares it with (a) for the same N.
/// <list type="bullet">
/// <item>(a) <see cref="A_CodecFloor"/>: libopus alone, one decode + one encode per participant (what Janus
/// AudioBridge's codec work is; its encode settings: VOIP, complexity 4, auto bitrate).</item>
/// <item>(b) <see cref="B_MixerOnly_Top4"/> / <see cref="B_MixerOnly_AllMixed"/>: the mixer only (selection,
/// int32 bus, mix-minus, saturation), frames already decoded and encoders that do nothing.</item>
/// <item>(c) <see cref="C_MixerAndCodecs_Top4"/> / <see cref="C_MixerAndCodecs_AllMixed"/>: decode every
/// participant, mix, and encode with real Opus encoders. Top4 mixes the 4 loudest (4 mix-minus encodes + 1 shared
/// encode); AllMixed mixes everybody, which means one encode per participant, the same work as Janus.</item>
/// </list>
/// </summary>
[Config(typeof(MediaBenchmarkConfig))]
[MemoryDiagnoser]
public class MediaTickBenchmarks
{
    private MediaWorkload _workload = null!;
    private OpusFrameDecoder[] _decoders = null!;
    private OpusFrameEncoder[] _encoders = null!;
    private short[] _decodedFrame = null!;
    private byte[] _payload = null!;
    private ConferenceMixer _mixerOnlyTop4 = null!;
    private ConferenceMixer _mixerOnlyAll = null!;
    private ConferenceMixer _mixerCodecTop4 = null!;
    private ConferenceMixer _mixerCodecAll = null!;
    private int _frame;

    [Params(10, 50, 100)]
    public int Participants { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _workload = new MediaWorkload(Participants);
        _decoders = new OpusFrameDecoder[Participants];
        _encoders = new OpusFrameEncoder[Participants];
        for (int p = 0; p < Participants; p++)
        {
            _decoders[p] = new OpusFrameDecoder();
            _encoders[p] = new OpusFrameEncoder(EncoderProfile.OpusVoice);
        }

        _decodedFrame = new short[AudioFormat.MixFrameSamples];
        _payload = new byte[AudioFormat.MaxEncodedFrameBytes];
        _mixerOnlyTop4 = CreateMixer(4, _ => new NoEncodeEncoder());
        _mixerOnlyAll = CreateMixer(Participants, _ => new NoEncodeEncoder());
        _mixerCodecTop4 = CreateMixer(4, AudioFrameCodecs.CreateEncoder);
        _mixerCodecAll = CreateMixer(Participants, AudioFrameCodecs.CreateEncoder);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (OpusFrameDecoder decoder in _decoders)
        {
            decoder.Dispose();
        }

        foreach (OpusFrameEncoder encoder in _encoders)
        {
            encoder.Dispose();
        }

        _mixerOnlyTop4.Dispose();
        _mixerOnlyAll.Dispose();
        _mixerCodecTop4.Dispose();
        _mixerCodecAll.Dispose();
    }

    /// <summary>(a) libopus alone: per participant one decode of its packet and one encode of a mix.</summary>
    [Benchmark(Baseline = true)]
    public int A_CodecFloor()
    {
        int frame = NextFrame();
        int bytes = 0;
        for (int p = 0; p < Participants; p++)
        {
            _decoders[p].Decode(_workload.Packets[p][frame], _decodedFrame);
            bytes += _encoders[p].Encode(_workload.MixPcm[frame], _payload);
        }

        return bytes;
    }

    /// <summary>(b) Mixer only, 4 loudest mixed.</summary>
    [Benchmark]
    public int B_MixerOnly_Top4() => MixDecodedFrames(_mixerOnlyTop4);

    /// <summary>(b) Mixer only, everybody mixed (N mix-minus computations).</summary>
    [Benchmark]
    public int B_MixerOnly_AllMixed() => MixDecodedFrames(_mixerOnlyAll);

    /// <summary>(c) Decode all, mix the 4 loudest, encode 4 mix-minus + 1 shared full mix.</summary>
    [Benchmark]
    public int C_MixerAndCodecs_Top4() => DecodeAndMix(_mixerCodecTop4);

    /// <summary>(c) Decode all, mix everybody, encode N mix-minus (Janus-equivalent work).</summary>
    [Benchmark]
    public int C_MixerAndCodecs_AllMixed() => DecodeAndMix(_mixerCodecAll);

    private int MixDecodedFrames(ConferenceMixer mixer)
    {
        for (int p = 0; p < Participants; p++)
        {
            mixer.SubmitFrame(new MixerParticipantId(p), _workload.DecodedFrames[p]);
        }

        return mixer.Mix().EncodeCount;
    }

    private int DecodeAndMix(ConferenceMixer mixer)
    {
        int frame = NextFrame();
        for (int p = 0; p < Participants; p++)
        {
            int samples = _decoders[p].Decode(_workload.Packets[p][frame], _decodedFrame);
            mixer.SubmitFrame(new MixerParticipantId(p), _decodedFrame.AsSpan(0, samples));
        }

        return mixer.Mix().EncodeCount;
    }

    private int NextFrame()
    {
        int frame = _frame;
        _frame = (frame + 1) % MediaWorkload.LoopFrames;
        return frame;
    }

    private ConferenceMixer CreateMixer(int maxMixedSpeakers, Func<EncoderProfile, IAudioFrameEncoder> encoderFactory)
    {
        var mixer = new ConferenceMixer(new ConferenceMixerOptions
        {
            MaxMixedSpeakers = maxMixedSpeakers,
            EncoderFactory = encoderFactory,
        });
        for (int p = 0; p < Participants; p++)
        {
            mixer.AddParticipant(new MixerParticipantId(p), EncoderProfile.OpusVoice);
        }

        return mixer;
    }

    /// <summary>For the mixer-only case: an encoder that encodes nothing, so only mixing is measured.</summary>
    private sealed class NoEncodeEncoder : IAudioFrameEncoder
    {
        public EncoderProfile Profile => EncoderProfile.OpusVoice;

        public int Encode(ReadOnlySpan<short> mixPcm, Span<byte> encodedPayload) => 0;

        public void Dispose() { }
    }
}
