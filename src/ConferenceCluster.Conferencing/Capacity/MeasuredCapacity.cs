namespace ConferenceCluster.Conferencing.Capacity;

/// <summary>
/// A node's capacity from its startup check's two measurements (R60, L1185): the audio path's (audio calls) and the
/// video path's (HD calls, issue 14 item 4). A node has one ledger in <see cref="CapacityUnits"/>, where one HD call is
/// twelve audio calls (L1179), so it admits what both measurements allow: its audio calls, but never more than its HD
/// calls are worth in audio. On a real node the video measurement is the smaller by far; the audio one only decides a
/// node whose video would be cheaper than its audio, which the seed's weights do not foresee.
/// </summary>
public static class MeasuredCapacity
{
    /// <summary>Audio calls in one HD call (L1179: audio-only is 1/12 of HD).</summary>
    public const long AudioCallsPerHdCall = CapacityUnits.PerHdCall / CapacityUnits.PerAudioCall;

    /// <summary>The audio calls a node admits (<c>Silo:Capacity:AudioCalls</c>' unit), from what it measured.</summary>
    public static long AudioCalls(long measuredAudioCalls, long measuredHdCalls)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(measuredAudioCalls);
        ArgumentOutOfRangeException.ThrowIfNegative(measuredHdCalls);
        return Math.Min(measuredAudioCalls, checked(measuredHdCalls * AudioCallsPerHdCall));
    }
}
