namespace ConferenceCluster.LoadTest.Audio;

/// <summary>
/// Which tone a participant sends: every frequency is a whole number of cycles per 20 ms frame (a multiple of
/// 50 Hz), so one encoded frame repeats seamlessly and tones are orthogonal over any window of whole frames;
/// all lie inside the telephony band G.711 keeps (the mixer band-limits to 300-3400 Hz).
/// </summary>
public static class ToneFrequencyPlan
{
    public const int LowestHz = 400;

    public const int HighestHz = 3300;

    public const int StepHz = 50;

    /// <summary>How many distinct tones there are (59): the most talkers one conference can tell apart.</summary>
    public const int Count = (HighestHz - LowestHz) / StepHz + 1;

    // 7 is coprime with 59, so slots 0..58 visit every frequency once, and neighbouring slots (the few
    // talkers of a conference) land 350 Hz apart, far from each other's harmonics of low order.
    private const int SlotStride = 7;

    /// <summary>The tone of the participant in <paramref name="slot"/> (0-based position in its conference).</summary>
    public static int FrequencyOf(int slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        return LowestHz + StepHz * (slot * SlotStride % Count);
    }
}
