using BenchmarkDotNet.Attributes;
using ConferenceCluster.Media.Video.Capacity;
using ConferenceCluster.Media.Video.Codecs.Vp8;
using ConferenceCluster.Media.Video.Composition;

namespace ConferenceCluster.Media.Benchmarks;

/// <summary>
/// The composition kernels against their scalar formulas (one 1280-pixel row), the whole scaler on the two tile sizes
/// of a 720p 1+7 picture, and one 720p composite encode (the encoder settings of the pipeline), for the split of a
/// composite's cost. <c>--filter '*Scaling*'</c>.
/// </summary>
[MemoryDiagnoser]
public class ScalingBenchmarks
{
    private const int Row = 1280;
    private readonly byte[] _upper = new byte[2 * Row], _lower = new byte[2 * Row], _output = new byte[Row];
    private readonly int[] _index = new int[Row], _weight = new int[Row];
    private readonly I420Scaler _scaler = new();
    private I420Buffer _camera = null!, _canvas = null!;
    private I420Buffer[] _moving = null!;
    private Vp8Encoder _encoder = null!;
    private byte[] _frame = null!;
    private long _pts;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        random.NextBytes(_upper);
        random.NextBytes(_lower);
        for (int i = 0; i < Row; i++)
        {
            (_index[i], _weight[i]) = I420Scaler.Position(i, 2 * Row - 1, Row);
        }

        _camera = new I420Buffer(1280, 720);
        VideoCapacityCheck.CameraPicture(_camera, 0);
        _canvas = new I420Buffer(1280, 720);
        _moving = Enumerable.Range(0, 30).Select(i =>
        {
            var picture = new I420Buffer(1280, 720);
            VideoCapacityCheck.CameraPicture(picture, i);
            return picture;
        }).ToArray();
        _encoder = new Vp8Encoder(new Vp8EncoderSettings { Width = 1280, Height = 720, TargetBitrateKbps = 1500 });
        _frame = new byte[_encoder.MaxFrameBytes];
    }

    [GlobalCleanup]
    public void Cleanup() => _encoder.Dispose();

    [Benchmark]
    public void HalveRow_Simd() => ScalingKernels.HalveRow(_upper, _lower, _output);

    [Benchmark]
    public void HalveRow_Scalar()
    {
        for (int i = 0; i < Row; i++)
        {
            _output[i] = (byte)((_upper[2 * i] + _upper[2 * i + 1] + _lower[2 * i] + _lower[2 * i + 1] + 2) >> 2);
        }
    }

    [Benchmark]
    public void BlendRows_Simd() => ScalingKernels.BlendRows(_upper, _lower, 77, _output);

    [Benchmark]
    public void BlendRows_Scalar()
    {
        for (int i = 0; i < Row; i++)
        {
            _output[i] = (byte)((_upper[i] * 179 + _lower[i] * 77 + 128) >> 8);
        }
    }

    [Benchmark]
    public void InterpolateRow_Gather() => ScalingKernels.InterpolateRow(_upper, _index, _weight, _output);

    [Benchmark]
    public void InterpolateRow_Scalar()
    {
        for (int i = 0; i < Row; i++)
        {
            int s = _index[i], w = _weight[i];
            _output[i] = (byte)((_upper[s] * (256 - w) + _upper[s + 1] * w + 128) >> 8);
        }
    }

    /// <summary>A 720p camera into the 1+7 main tile (bilinear only).</summary>
    [Benchmark]
    public void Scale_720p_to_main_1096x616() => _scaler.Scale(_camera.View, new PixelRect(0, 0, 1280, 720), _canvas, new PixelRect(90, 0, 1096, 616));

    /// <summary>A 720p camera into a 1+7 thumbnail (two halvings, then bilinear).</summary>
    [Benchmark]
    public void Scale_720p_to_thumbnail_182x102() => _scaler.Scale(_camera.View, new PixelRect(0, 0, 1280, 720), _canvas, new PixelRect(0, 616, 182, 102));

    /// <summary>One 720p composite through VP8 at the pipeline's settings (cpu-used 8, realtime, 1.5 Mbit/s).</summary>
    [Benchmark]
    public int Encode_720p_composite()
    {
        _pts += 3000;
        return _encoder.Encode(_moving[(int)(_pts / 3000 % 30)].View, _pts, 3000, _frame, out _);
    }
}

/// <summary>A 720p VP8 encode at several realtime speeds (VP8E_SET_CPUUSED), for the choice of the default. <c>--filter '*EncoderSpeed*'</c>.</summary>
public class EncoderSpeedBenchmarks
{
    private I420Buffer[] _moving = null!;
    private Vp8Encoder _encoder = null!;
    private byte[] _frame = null!;
    private long _pts;

    [Params(4, 8, 12, 16)]
    public int CpuUsed { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _moving = Enumerable.Range(0, 30).Select(i =>
        {
            var picture = new I420Buffer(1280, 720);
            VideoCapacityCheck.CameraPicture(picture, i);
            return picture;
        }).ToArray();
        _encoder = new Vp8Encoder(new Vp8EncoderSettings { Width = 1280, Height = 720, TargetBitrateKbps = 1500, CpuUsed = CpuUsed });
        _frame = new byte[_encoder.MaxFrameBytes];
    }

    [GlobalCleanup]
    public void Cleanup() => _encoder.Dispose();

    [Benchmark]
    public int Encode_720p()
    {
        _pts += 3000;
        return _encoder.Encode(_moving[(int)(_pts / 3000 % 30)].View, _pts, 3000, _frame, out _);
    }
}
