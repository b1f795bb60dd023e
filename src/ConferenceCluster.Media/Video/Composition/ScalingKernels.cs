using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ConferenceCluster.Media.Video.Composition;

/// <summary>
/// The SIMD inner loops of the picture scaler, one row at a time, over <see cref="Vector256{T}"/> (32 pixels per step)
/// or <see cref="Vector128{T}"/> (16), with a scalar tail. Each result is bit-exact with the scalar formula in its
/// summary (ScalingKernelsTests checks that over random rows and every length around the vector widths).
/// </summary>
/// <remarks>
/// All arithmetic stays in 16 bits where the worst case fits (255 × 256 + 128 &lt; 65536), so a vector of bytes widens
/// once, computes, and narrows once; narrowing truncates, which is exact because every result is 0–255.
/// </remarks>
public static class ScalingKernels
{
    /// <summary>Weights of <see cref="BlendRows"/> and <see cref="InterpolateRow"/> are in 1/256.</summary>
    public const int WeightOne = 256;

    /// <summary>
    /// 2×2 box average: <paramref name="destination"/>[i] = (upper[2i] + upper[2i+1] + lower[2i] + lower[2i+1] + 2) / 4.
    /// One step of halving a plane; reads 2 × destination.Length bytes of each row.
    /// </summary>
    public static void HalveRow(ReadOnlySpan<byte> upper, ReadOnlySpan<byte> lower, Span<byte> destination)
    {
        int length = destination.Length;
        if (upper.Length < 2 * length || lower.Length < 2 * length)
        {
            throw new ArgumentException($"Halving into {length} pixels reads {2 * length} from each row.");
        }

        ref byte up = ref MemoryMarshal.GetReference(upper);
        ref byte low = ref MemoryMarshal.GetReference(lower);
        ref byte output = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // 32 source columns give 16 outputs.
            for (; i <= length - 16; i += 16)
            {
                (Vector256<ushort> upperLow, Vector256<ushort> upperHigh) = Vector256.Widen(Vector256.LoadUnsafe(ref up, (nuint)(2 * i)));
                (Vector256<ushort> lowerLow, Vector256<ushort> lowerHigh) = Vector256.Widen(Vector256.LoadUnsafe(ref low, (nuint)(2 * i)));
                Vector256<uint> first = PairSums(upperLow + lowerLow);
                Vector256<uint> second = PairSums(upperHigh + lowerHigh);
                Vector256<ushort> averages = Vector256.Narrow((first + Vector256.Create(2u)) >> 2, (second + Vector256.Create(2u)) >> 2);
                Vector256.Narrow(averages, averages).GetLower().StoreUnsafe(ref output, (nuint)i);
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (; i <= length - 8; i += 8)
            {
                (Vector128<ushort> upperLow, Vector128<ushort> upperHigh) = Vector128.Widen(Vector128.LoadUnsafe(ref up, (nuint)(2 * i)));
                (Vector128<ushort> lowerLow, Vector128<ushort> lowerHigh) = Vector128.Widen(Vector128.LoadUnsafe(ref low, (nuint)(2 * i)));
                Vector128<uint> first = PairSums(upperLow + lowerLow);
                Vector128<uint> second = PairSums(upperHigh + lowerHigh);
                Vector128<ushort> averages = Vector128.Narrow((first + Vector128.Create(2u)) >> 2, (second + Vector128.Create(2u)) >> 2);
                Vector128.Narrow(averages, averages).GetLower().StoreUnsafe(ref output, (nuint)i);
            }
        }

        for (; i < length; i++)
        {
            int sum = Unsafe.Add(ref up, 2 * i) + Unsafe.Add(ref up, 2 * i + 1) + Unsafe.Add(ref low, 2 * i) + Unsafe.Add(ref low, 2 * i + 1);
            Unsafe.Add(ref output, i) = (byte)((sum + 2) >> 2);
        }
    }

    /// <summary>
    /// Vertical linear interpolation between two rows: <paramref name="destination"/>[i] =
    /// (top[i] × (256 − w) + bottom[i] × w + 128) / 256, with w = <paramref name="bottomWeight"/> in 0–256.
    /// </summary>
    public static void BlendRows(ReadOnlySpan<byte> top, ReadOnlySpan<byte> bottom, int bottomWeight, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bottomWeight);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bottomWeight, WeightOne);
        int length = destination.Length;
        if (top.Length < length || bottom.Length < length)
        {
            throw new ArgumentException($"Blending {length} pixels reads {length} from each row.");
        }

        ref byte a = ref MemoryMarshal.GetReference(top);
        ref byte b = ref MemoryMarshal.GetReference(bottom);
        ref byte output = ref MemoryMarshal.GetReference(destination);
        int topWeight = WeightOne - bottomWeight;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<ushort> wa = Vector256.Create((ushort)topWeight), wb = Vector256.Create((ushort)bottomWeight), half = Vector256.Create((ushort)128);
            for (; i <= length - 32; i += 32)
            {
                (Vector256<ushort> aLow, Vector256<ushort> aHigh) = Vector256.Widen(Vector256.LoadUnsafe(ref a, (nuint)i));
                (Vector256<ushort> bLow, Vector256<ushort> bHigh) = Vector256.Widen(Vector256.LoadUnsafe(ref b, (nuint)i));
                Vector256<ushort> low = (aLow * wa + bLow * wb + half) >> 8;
                Vector256<ushort> high = (aHigh * wa + bHigh * wb + half) >> 8;
                Vector256.Narrow(low, high).StoreUnsafe(ref output, (nuint)i);
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            Vector128<ushort> wa = Vector128.Create((ushort)topWeight), wb = Vector128.Create((ushort)bottomWeight), half = Vector128.Create((ushort)128);
            for (; i <= length - 16; i += 16)
            {
                (Vector128<ushort> aLow, Vector128<ushort> aHigh) = Vector128.Widen(Vector128.LoadUnsafe(ref a, (nuint)i));
                (Vector128<ushort> bLow, Vector128<ushort> bHigh) = Vector128.Widen(Vector128.LoadUnsafe(ref b, (nuint)i));
                Vector128<ushort> low = (aLow * wa + bLow * wb + half) >> 8;
                Vector128<ushort> high = (aHigh * wa + bHigh * wb + half) >> 8;
                Vector128.Narrow(low, high).StoreUnsafe(ref output, (nuint)i);
            }
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref output, i) = (byte)((Unsafe.Add(ref a, i) * topWeight + Unsafe.Add(ref b, i) * bottomWeight + 128) >> 8);
        }
    }

    /// <summary>
    /// Horizontal linear interpolation at precomputed positions: <paramref name="destination"/>[x] =
    /// (source[s] × (256 − w) + source[s + 1] × w + 128) / 256, with s = <paramref name="sourceIndex"/>[x] and
    /// w = <paramref name="weight"/>[x]. Every s + 1 must be inside <paramref name="source"/> (the caller clamps the
    /// last column by giving it weight 0 and s = width − 2, or a one-pixel source s = 0 with a duplicated byte).
    /// </summary>
    /// <remarks>
    /// A gather: each output reads its own pair of source pixels. With AVX2 eight pairs are fetched at once
    /// (<c>vpgatherdd</c> of 32 bits at each s, of which the low two bytes are the pair); without it the loop is scalar.
    /// </remarks>
    public static unsafe void InterpolateRow(ReadOnlySpan<byte> source, ReadOnlySpan<int> sourceIndex, ReadOnlySpan<int> weight, Span<byte> destination)
    {
        int length = destination.Length;
        if (sourceIndex.Length < length || weight.Length < length)
        {
            throw new ArgumentException($"Interpolating {length} pixels needs {length} positions and weights.");
        }

        ref byte output = ref MemoryMarshal.GetReference(destination);
        ref int indexRef = ref MemoryMarshal.GetReference(sourceIndex);
        ref int weightRef = ref MemoryMarshal.GetReference(weight);
        int i = 0;
        fixed (byte* sourcePointer = source)
        {
            if (Avx2.IsSupported)
            {
                Vector256<int> one = Vector256.Create(WeightOne), half = Vector256.Create(128), lowByte = Vector256.Create(0xFF);
                // A gather reads 4 bytes at s: stay where s + 3 is inside the row (indexes never decrease along x).
                for (; i <= length - 16 && Unsafe.Add(ref indexRef, i + 15) + 3 < source.Length; i += 16)
                {
                    Vector256<int> first = Pair(sourcePointer, Vector256.LoadUnsafe(ref indexRef, (nuint)i), Vector256.LoadUnsafe(ref weightRef, (nuint)i), one, half, lowByte);
                    Vector256<int> second = Pair(sourcePointer, Vector256.LoadUnsafe(ref indexRef, (nuint)(i + 8)), Vector256.LoadUnsafe(ref weightRef, (nuint)(i + 8)), one, half, lowByte);
                    Vector256<ushort> words = Vector256.Narrow(first, second).AsUInt16();
                    Vector256.Narrow(words, words).GetLower().StoreUnsafe(ref output, (nuint)i);
                }
            }

            for (; i < length; i++)
            {
                int s = Unsafe.Add(ref indexRef, i);
                int w = Unsafe.Add(ref weightRef, i);
                Unsafe.Add(ref output, i) = (byte)((sourcePointer[s] * (WeightOne - w) + sourcePointer[s + 1] * w + 128) >> 8);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<int> Pair(byte* source, Vector256<int> index, Vector256<int> weight, Vector256<int> one, Vector256<int> half, Vector256<int> lowByte)
    {
        Vector256<int> gathered = Avx2.GatherVector256((int*)source, index, 1);
        Vector256<int> left = gathered & lowByte;
        Vector256<int> right = (gathered >>> 8) & lowByte;
        return (left * (one - weight) + right * weight + half) >> 8;
    }

    /// <summary>Each 32-bit lane holds two adjacent 16-bit sums: add them (even + odd column).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> PairSums(Vector256<ushort> sums)
    {
        Vector256<uint> lanes = sums.AsUInt32();
        return (lanes & Vector256.Create(0xFFFFu)) + (lanes >> 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> PairSums(Vector128<ushort> sums)
    {
        Vector128<uint> lanes = sums.AsUInt32();
        return (lanes & Vector128.Create(0xFFFFu)) + (lanes >> 16);
    }
}
