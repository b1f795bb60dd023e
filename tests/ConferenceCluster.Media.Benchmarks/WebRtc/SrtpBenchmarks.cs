using BenchmarkDotNet.Attributes;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.WebRtc.Srtp;

namespace ConferenceCluster.Media.Benchmarks.WebRtc;

/// <summary>
/// What SRTP adds per packet (AES_CM_128_HMAC_SHA1_80, .NET's AES and HMAC-SHA1 on OpenSSL): protecting one 20 ms
/// Opus packet as a browser leg sends it, and unprotecting one as it arrives. The copy of the packet into the send
/// buffer that any transport makes is the baseline. Unprotect is measured as protect + unprotect of a fresh packet
/// (the replay window refuses a packet twice, so a pre-made set would run out): its own cost is the difference.
/// </summary>
[MemoryDiagnoser]
public class SrtpBenchmarks
{
    private SrtpContext _sender = null!;
    private SrtpContext _receiver = null!;
    private readonly byte[] _plain = new byte[RtpHeader.FixedLength + 80];
    private readonly byte[] _buffer = new byte[256];
    private ushort _sequence;

    [GlobalSetup]
    public void Setup()
    {
        var key = new SrtpMasterKey(Enumerable.Range(1, 16).Select(i => (byte)i).ToArray(), Enumerable.Range(1, 14).Select(i => (byte)i).ToArray());
        _sender = new SrtpContext(key);
        _receiver = new SrtpContext(key);
        Random.Shared.NextBytes(_plain);
        // 80 bytes of payload: Opus voice at ~32 kbit/s in 20 ms.
        RtpHeader.WriteFixed(_plain, false, 111, 0, 0, 0x1234);
    }

    [Benchmark(Baseline = true, Description = "copy 92-byte RTP packet (baseline)")]
    public int Copy()
    {
        _plain.CopyTo(_buffer, 0);
        return _buffer[0];
    }

    [Benchmark(Description = "SRTP protect 92-byte RTP packet")]
    public int Protect()
    {
        _plain.CopyTo(_buffer, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), _sequence++);
        return _sender.ProtectRtp(_buffer, _plain.Length);
    }

    [Benchmark(Description = "SRTP protect + unprotect (a browser's packet end to end)")]
    public int ProtectAndUnprotect()
    {
        int length = Protect();
        _receiver.UnprotectRtp(_buffer.AsSpan(0, length), out int plain);
        return plain;
    }
}
