using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConferenceCluster.Media.Codecs.Resampling;

/// <summary>
/// The low-pass FIR shared by <see cref="Upsampler8kTo48k"/> (anti-imaging) and <see cref="Downsampler48kTo8k"/>
/// (anti-aliasing): a Kaiser-windowed sinc at 48 kHz with its −6 dB point at 4 kHz, the 8 kHz Nyquist frequency.
/// </summary>
/// <remarks>
/// <para>
/// Design: 191 taps (odd, so the group delay is a whole 95 samples = 1.98 ms at 48 kHz), Kaiser β = 7.3, padded
/// with one zero tap to 192 = 6 × 32 so each polyphase branch has 32 taps.
/// </para>
/// <para>
/// Quality (computed from the coefficients; asserted by <c>ResamplerTests</c>): passband ripple within ±0.002 dB
/// from 0 to 3.4 kHz, −0.23 dB at 3.6 kHz, −6.0 dB at 4 kHz, at least 74 dB of attenuation from 4.6 kHz up to
/// 24 kHz. So the telephony band (300–3400 Hz) passes flat; upsampling removes the images of an 8 kHz signal (at
/// 8 kHz ± f, ≥ 4.6 kHz for f ≤ 3.4 kHz) to below −74 dB, where a zero-order hold would leave them only 4–17 dB
/// down; downsampling rejects everything that could fold back below 3.4 kHz, and only 4.0–4.6 kHz content
/// can fold, attenuated, into 3.4–4.0 kHz, above the telephony band. Round-trip latency 48 → 8 → 48 kHz is
/// 190 samples (≈ 4 ms).
/// </para>
/// <para>
/// Cost: 32 multiply-adds per 48 kHz output sample when upsampling, 192 per 8 kHz output sample when
/// downsampling, i.e. about 31 k multiply-adds per 20 ms frame either way, in <see cref="Vector{T}"/> float.
/// </para>
/// </remarks>
internal static class TelephonyBandFilter
{
    /// <summary>Up/down factor between 8 kHz and 48 kHz.</summary>
    internal const int Factor = AudioFormat.MixSampleRate / AudioFormat.NarrowbandSampleRate;

    internal const int TapsPerPhase = 32;

    internal const int Length = Factor * TapsPerPhase;

    /// <summary>Taps that carry the design (the last of <see cref="Length"/> is a zero pad).</summary>
    internal const int DesignedTaps = Length - 1;

    internal const double CutoffHz = 4_000.0;

    internal const double KaiserBeta = 7.3;

    /// <summary>Group delay in 48 kHz samples.</summary>
    internal const int DelaySamples48k = (DesignedTaps - 1) / 2;

    /// <summary>Impulse response h[n] at 48 kHz, DC gain exactly 1.</summary>
    internal static readonly float[] Coefficients = Design();

    private static float[] Design()
    {
        var taps = new double[Length];
        double center = (DesignedTaps - 1) / 2.0;
        double normalizedCutoff = 2.0 * CutoffHz / AudioFormat.MixSampleRate; // fraction of Nyquist (1/6)
        double windowNorm = BesselI0(KaiserBeta);
        double sum = 0;
        for (int n = 0; n < DesignedTaps; n++)
        {
            double t = n - center;
            double sinc = t == 0 ? 1.0 : Math.Sin(Math.PI * normalizedCutoff * t) / (Math.PI * normalizedCutoff * t);
            double ratio = t / center;
            double window = BesselI0(KaiserBeta * Math.Sqrt(1.0 - ratio * ratio)) / windowNorm;
            taps[n] = normalizedCutoff * sinc * window;
            sum += taps[n];
        }

        var coefficients = new float[Length];
        for (int n = 0; n < DesignedTaps; n++)
        {
            coefficients[n] = (float)(taps[n] / sum);
        }

        return coefficients;
    }

    /// <summary>Zeroth-order modified Bessel function of the first kind, by its power series.</summary>
    private static double BesselI0(double x)
    {
        double sum = 1.0, term = 1.0, halfX = x / 2.0;
        for (int k = 1; k < 50; k++)
        {
            term *= halfX / k;
            double squared = term * term;
            sum += squared;
            if (squared < sum * 1e-17)
            {
                break;
            }
        }

        return sum;
    }

    /// <summary>Σ a[i]·b[i] over equal-length spans, vectorised.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        ref float aRef = ref MemoryMarshal.GetReference(a);
        ref float bRef = ref MemoryMarshal.GetReference(b);
        int length = a.Length;
        int i = 0;
        float result = 0f;
        if (Vector.IsHardwareAccelerated && length >= Vector<float>.Count)
        {
            var accumulator = Vector<float>.Zero;
            for (; i <= length - Vector<float>.Count; i += Vector<float>.Count)
            {
                accumulator += Vector.LoadUnsafe(ref aRef, (nuint)i) * Vector.LoadUnsafe(ref bRef, (nuint)i);
            }

            result = Vector.Sum(accumulator);
        }

        for (; i < length; i++)
        {
            result += Unsafe.Add(ref aRef, i) * Unsafe.Add(ref bRef, i);
        }

        return result;
    }

    /// <summary>Rounds to the nearest 16-bit sample, saturating (a full-scale square wave overshoots slightly).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static short ToSample(float value)
    {
        float rounded = MathF.Round(value);
        return rounded >= short.MaxValue ? short.MaxValue : rounded <= short.MinValue ? short.MinValue : (short)rounded;
    }
}
