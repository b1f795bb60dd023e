using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ConferenceCluster.Media.WebRtc.Srtp;

/// <summary>
/// AES in counter mode as SRTP uses it (RFC 3711 §4.1.1): the keystream is AES-ECB over the blocks IV, IV+1, ...
/// where only the low 16 bits count, XORed over the data. One ECB call per packet covers all of its blocks; the
/// counter and keystream buffers belong to this instance, so nothing allocates. Not thread-safe.
/// </summary>
internal sealed class AesCounterMode : IDisposable
{
    public const int BlockSize = 16;

    /// <summary>The largest run handled at once (a packet's payload; SRTP keys derive 20 bytes at most).</summary>
    public const int MaxBytes = 2048;

    private readonly Aes _aes;
    private readonly ICryptoTransform _ecb;
    private readonly byte[] _counters = new byte[MaxBytes];
    private readonly byte[] _keystream = new byte[MaxBytes];

    public AesCounterMode(ReadOnlySpan<byte> key)
    {
        _aes = Aes.Create();
        _aes.Key = key.ToArray();
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        _ecb = _aes.CreateEncryptor();
    }

    /// <summary>XORs the keystream that starts at <paramref name="iv"/> (16 bytes, low 16 bits zero) over <paramref name="data"/>.</summary>
    public void Apply(ReadOnlySpan<byte> iv, Span<byte> data)
    {
        ReadOnlySpan<byte> keystream = Keystream(iv, data.Length);
        Xor(data, keystream);
    }

    /// <summary>Writes the first <paramref name="destination"/>.Length keystream bytes (for key derivation and test vectors).</summary>
    public void WriteKeystream(ReadOnlySpan<byte> iv, Span<byte> destination) => Keystream(iv, destination.Length).CopyTo(destination);

    public void Dispose()
    {
        _ecb.Dispose();
        _aes.Dispose();
    }

    private ReadOnlySpan<byte> Keystream(ReadOnlySpan<byte> iv, int length)
    {
        if ((uint)length > MaxBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"At most {MaxBytes} bytes at once.");
        }

        int blocks = (length + BlockSize - 1) / BlockSize;
        Span<byte> counters = _counters.AsSpan(0, blocks * BlockSize);
        ushort start = BinaryPrimitives.ReadUInt16BigEndian(iv[14..]);
        for (int i = 0; i < blocks; i++)
        {
            Span<byte> block = counters.Slice(i * BlockSize, BlockSize);
            iv[..14].CopyTo(block);
            BinaryPrimitives.WriteUInt16BigEndian(block[14..], (ushort)(start + i));
        }

        _ecb.TransformBlock(_counters, 0, counters.Length, _keystream, 0);
        return _keystream.AsSpan(0, length);
    }

    /// <summary><paramref name="data"/> ^= <paramref name="keystream"/>, a vector at a time.</summary>
    internal static void Xor(Span<byte> data, ReadOnlySpan<byte> keystream)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && data.Length >= Vector<byte>.Count)
        {
            Span<Vector<byte>> dataVectors = MemoryMarshal.Cast<byte, Vector<byte>>(data);
            ReadOnlySpan<Vector<byte>> keyVectors = MemoryMarshal.Cast<byte, Vector<byte>>(keystream[..data.Length]);
            for (int v = 0; v < dataVectors.Length; v++)
            {
                dataVectors[v] ^= keyVectors[v];
            }

            i = dataVectors.Length * Vector<byte>.Count;
        }

        for (; i < data.Length; i++)
        {
            data[i] ^= keystream[i];
        }
    }
}
