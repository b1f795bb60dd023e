namespace ConferenceCluster.Conferencing.Capacity;

/// <summary>
/// An exact amount of media-processing capacity. One HD 720p call (the seed's reference, L1175) is 24 units.
/// </summary>
/// <remarks>
/// Why 24: the seed's weights relative to HD are Full HD 2, SD 1/2, audio-only 1/12 (L1177–1179), VP9 5/4 of the
/// same call in H.264 (L1181), WebRTC presentation +1/2 and +1 (L1181), proxying a video call 3/12 (L1191).
/// Twelve units per HD would make all of the stated figures integers, but "VP9 uses around 25% more resource" applied
/// to an SD call is 5/8 HD, which needs a denominator of 8. The least common multiple of 12 and 8 is 24, so with 24
/// units every weight the seed gives, and VP9 at every resolution, is a whole number: audio 2, SD 12, HD 24, Full HD 48,
/// VP9 SD 15, VP9 HD 30, VP9 Full HD 60, proxied video 6, proxied audio 2. Integers keep capacity checks exact
/// (no 12 × 1/12 ≠ 1 rounding), which matters when a node is filled to exactly its capacity.
/// </remarks>
[GenerateSerializer, Immutable, Alias("cc.CapacityUnits")]
public readonly record struct CapacityUnits(long Value) : IComparable<CapacityUnits>
{
    public const long PerHdCall = 24;

    /// <summary>One audio-only call: 1/12 of HD (L1179; the v24 seed's figure, which wins over newer documents).</summary>
    public const long PerAudioCall = PerHdCall / 12;

    public static readonly CapacityUnits Zero = new(0);

    /// <summary>Converts a node capacity given as a number of audio-only calls (<c>Silo:Capacity:AudioCalls</c>).</summary>
    public static CapacityUnits FromAudioCalls(long audioCalls) => new(checked(audioCalls * PerAudioCall));

    public static CapacityUnits FromHdCalls(long hdCalls) => new(checked(hdCalls * PerHdCall));

    /// <summary>Whole HD calls that fit, rounding down: the "available HD connections" of the status pages and bursting (R73).</summary>
    public long WholeHdCalls => Value >= 0 ? Value / PerHdCall : -((-Value + PerHdCall - 1) / PerHdCall);

    /// <summary>Whole audio-only calls that fit, rounding down.</summary>
    public long WholeAudioCalls => Value >= 0 ? Value / PerAudioCall : -((-Value + PerAudioCall - 1) / PerAudioCall);

    public static CapacityUnits operator +(CapacityUnits a, CapacityUnits b) => new(checked(a.Value + b.Value));
    public static CapacityUnits operator -(CapacityUnits a, CapacityUnits b) => new(checked(a.Value - b.Value));
    public static CapacityUnits operator *(CapacityUnits a, long factor) => new(checked(a.Value * factor));
    public static bool operator <(CapacityUnits a, CapacityUnits b) => a.Value < b.Value;
    public static bool operator >(CapacityUnits a, CapacityUnits b) => a.Value > b.Value;
    public static bool operator <=(CapacityUnits a, CapacityUnits b) => a.Value <= b.Value;
    public static bool operator >=(CapacityUnits a, CapacityUnits b) => a.Value >= b.Value;

    public static CapacityUnits Max(CapacityUnits a, CapacityUnits b) => a >= b ? a : b;

    public static CapacityUnits Min(CapacityUnits a, CapacityUnits b) => a <= b ? a : b;

    public int CompareTo(CapacityUnits other) => Value.CompareTo(other.Value);

    /// <summary>Shows units and the HD equivalent as an exact fraction-free decimal, for logs and test messages.</summary>
    public override string ToString() => $"{Value}u ({Value / (decimal)PerHdCall:0.####} HD)";
}
