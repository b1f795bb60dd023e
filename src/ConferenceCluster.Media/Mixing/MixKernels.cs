using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConferenceCluster.Media.Mixing;

/// <summary>
/// The SIMD inner loops of the mixer, over <see cref="Vector{T}"/> (256-bit on AVX2: 16 samples per step) with a
/// scalar tail for lengths that are not a multiple of the vector width. Each is one pass over one frame.
/// </summary>
/// <remarks>
/// The mix bus is int32 so that summing any number of int16 voices up to <see cref="MaxVoicesWithoutOverflow"/> is
/// exact; saturation to int16 happens once, on the way out, per listener. That is what makes mix-minus exact:
/// <c>bus − own</c> is precisely the sum of the others, and only that result is clamped (FreeSWITCH's
/// <c>main_frame</c> does the same in scalar code).
/// </remarks>
public static class MixKernels
{
    /// <summary>Voices that can be summed into the int32 bus without any risk of overflow (2^31 / 2^15).</summary>
    public const int MaxVoicesWithoutOverflow = 1 << 16;

    /// <summary><paramref name="mixBus"/>[i] += <paramref name="decodedFrame"/>[i]: adds one voice to the bus.</summary>
    public static void Accumulate(Span<int> mixBus, ReadOnlySpan<short> decodedFrame)
    {
        ThrowIfLengthsDiffer(mixBus.Length, decodedFrame.Length, nameof(decodedFrame));
        ref int busRef = ref MemoryMarshal.GetReference(mixBus);
        ref short frameRef = ref MemoryMarshal.GetReference(decodedFrame);
        int length = mixBus.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= length - Vector<short>.Count; i += Vector<short>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref frameRef, (nuint)i), out Vector<int> low, out Vector<int> high);
                ref int busAt = ref Unsafe.Add(ref busRef, i);
                (Vector.LoadUnsafe(ref busAt) + low).StoreUnsafe(ref busAt);
                (Vector.LoadUnsafe(ref busAt, (nuint)Vector<int>.Count) + high).StoreUnsafe(ref busAt, (nuint)Vector<int>.Count);
            }
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref busRef, i) += Unsafe.Add(ref frameRef, i);
        }
    }

    /// <summary>
    /// <paramref name="mixPcm"/>[i] = clamp(<paramref name="mixBus"/>[i], −32768, 32767): the full mix as a listener hears it.
    /// </summary>
    public static void SaturateToInt16(ReadOnlySpan<int> mixBus, Span<short> mixPcm)
    {
        ThrowIfLengthsDiffer(mixBus.Length, mixPcm.Length, nameof(mixPcm));
        ref int busRef = ref MemoryMarshal.GetReference(mixBus);
        ref short pcmRef = ref MemoryMarshal.GetReference(mixPcm);
        int length = mixBus.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var max = new Vector<int>(short.MaxValue);
            var min = new Vector<int>(short.MinValue);
            for (; i <= length - Vector<short>.Count; i += Vector<short>.Count)
            {
                ref int busAt = ref Unsafe.Add(ref busRef, i);
                Vector<int> low = Vector.Min(Vector.Max(Vector.LoadUnsafe(ref busAt), min), max);
                Vector<int> high = Vector.Min(Vector.Max(Vector.LoadUnsafe(ref busAt, (nuint)Vector<int>.Count), min), max);
                // Narrow truncates to the low 16 bits, which is exact once the values are clamped.
                Vector.Narrow(low, high).StoreUnsafe(ref pcmRef, (nuint)i);
            }
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref pcmRef, i) = Saturate(Unsafe.Add(ref busRef, i));
        }
    }

    /// <summary>
    /// <paramref name="mixMinusPcm"/>[i] = clamp(<paramref name="mixBus"/>[i] − <paramref name="ownFrame"/>[i]): the mix
    /// a speaker hears, everyone but themselves.
    /// </summary>
    public static void SubtractAndSaturate(ReadOnlySpan<int> mixBus, ReadOnlySpan<short> ownFrame, Span<short> mixMinusPcm)
    {
        ThrowIfLengthsDiffer(mixBus.Length, ownFrame.Length, nameof(ownFrame));
        ThrowIfLengthsDiffer(mixBus.Length, mixMinusPcm.Length, nameof(mixMinusPcm));
        ref int busRef = ref MemoryMarshal.GetReference(mixBus);
        ref short ownRef = ref MemoryMarshal.GetReference(ownFrame);
        ref short pcmRef = ref MemoryMarshal.GetReference(mixMinusPcm);
        int length = mixBus.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var max = new Vector<int>(short.MaxValue);
            var min = new Vector<int>(short.MinValue);
            for (; i <= length - Vector<short>.Count; i += Vector<short>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref ownRef, (nuint)i), out Vector<int> ownLow, out Vector<int> ownHigh);
                ref int busAt = ref Unsafe.Add(ref busRef, i);
                Vector<int> low = Vector.Min(Vector.Max(Vector.LoadUnsafe(ref busAt) - ownLow, min), max);
                Vector<int> high = Vector.Min(Vector.Max(Vector.LoadUnsafe(ref busAt, (nuint)Vector<int>.Count) - ownHigh, min), max);
                Vector.Narrow(low, high).StoreUnsafe(ref pcmRef, (nuint)i);
            }
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref pcmRef, i) = Saturate(Unsafe.Add(ref busRef, i) - Unsafe.Add(ref ownRef, i));
        }
    }

    /// <summary>Σ sample²: the energy of one decoded frame (at most 2^30 per sample, so a long never overflows for any frame size we use).</summary>
    public static long SumOfSquares(ReadOnlySpan<short> decodedFrame)
    {
        ref short frameRef = ref MemoryMarshal.GetReference(decodedFrame);
        int length = decodedFrame.Length;
        int i = 0;
        long sum = 0;
        if (Vector.IsHardwareAccelerated && length >= Vector<short>.Count)
        {
            var accumulator = Vector<long>.Zero;
            for (; i <= length - Vector<short>.Count; i += Vector<short>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref frameRef, (nuint)i), out Vector<int> low, out Vector<int> high);
                // A square of an int16 fits an int32 (max 2^30); the sum of two might not, so widen before adding.
                Vector.Widen(low * low, out Vector<long> a, out Vector<long> b);
                Vector.Widen(high * high, out Vector<long> c, out Vector<long> d);
                accumulator += (a + b) + (c + d);
            }

            sum = Vector.Sum(accumulator);
        }

        for (; i < length; i++)
        {
            int sample = Unsafe.Add(ref frameRef, i);
            sum += sample * sample;
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static short Saturate(int value) =>
        value > short.MaxValue ? short.MaxValue : value < short.MinValue ? short.MinValue : (short)value;

    private static void ThrowIfLengthsDiffer(int busLength, int otherLength, string parameterName)
    {
        if (busLength != otherLength)
        {
            throw new ArgumentException($"Length {otherLength} does not match the mix bus length {busLength}.", parameterName);
        }
    }
}
