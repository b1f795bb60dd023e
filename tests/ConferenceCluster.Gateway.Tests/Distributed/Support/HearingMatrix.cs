using System.Globalization;
using System.Text;

namespace ConferenceCluster.Gateway.Tests.Distributed.Support;

/// <summary>
/// How loud each caller heard each caller's tone over the same stretch of time, relative to the level every caller
/// talks at: about 1 for a voice heard once, 0 for one not heard, up to 2 for one heard by two paths at once.
/// </summary>
internal sealed class HearingMatrix
{
    /// <summary>A voice heard once: codecs and resampling cost a little level, but never a third of it.</summary>
    public const double OnceAtLeast = 0.6;
    /// <summary>Above this a voice came by two paths (in phase it doubles; a phase shift still lifts it well above once).</summary>
    public const double OnceAtMost = 1.4;
    /// <summary>Own voice and voices not heard: leakage of the other tones and µ-law noise only.</summary>
    public const double SilentAtMost = 0.15;

    private readonly IReadOnlyList<ToneCaller> _callers;
    private readonly double[,] _levels;

    private readonly DateTime _from;
    private readonly DateTime _to;

    private HearingMatrix(IReadOnlyList<ToneCaller> callers, double[,] levels, DateTime from, DateTime to)
    {
        _callers = callers;
        _levels = levels;
        _from = from;
        _to = to;
    }

    /// <summary>
    /// The median of the levels in each <see cref="Window"/> of the stretch: a frame lost or concealed here and there
    /// (a busy shared machine delays a media tick) breaks the tone's phase in one window, not the whole measure,
    /// while a voice heard twice or not at all shows in every window.
    /// </summary>
    public static HearingMatrix Measure(IReadOnlyList<ToneCaller> callers, DateTime from, DateTime to)
    {
        var levels = new double[callers.Count, callers.Count];
        for (var listener = 0; listener < callers.Count; listener++)
            for (var talker = 0; talker < callers.Count; talker++)
                levels[listener, talker] = MedianLevel(callers[listener], callers[talker], from, to);
        return new HearingMatrix(callers, levels, from, to);
    }

    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(200);

    private static double MedianLevel(ToneCaller listener, ToneCaller talker, DateTime from, DateTime to)
    {
        var levels = new List<double>();
        for (var t = from; t + Window <= to; t += Window)
            levels.Add(listener.LevelOf(talker.Frequency, t, t + Window) / ToneCaller.Amplitude);
        levels.Sort();
        return levels.Count == 0 ? 0 : levels[levels.Count / 2];
    }

    public double Level(ToneCaller listener, ToneCaller talker) => _levels[Index(listener), Index(talker)];

    private int Index(ToneCaller caller) => _callers.ToList().IndexOf(caller);

    /// <summary>Every caller hears every other caller exactly once and never itself.</summary>
    public void AssertEveryoneHearsEveryOtherOnce()
    {
        var wrong = new List<string>();
        for (var listener = 0; listener < _callers.Count; listener++)
            for (var talker = 0; talker < _callers.Count; talker++)
            {
                var level = _levels[listener, talker];
                if (listener == talker ? level > SilentAtMost : level is < OnceAtLeast or > OnceAtMost)
                    wrong.Add($"{_callers[listener].Name} hears {_callers[talker].Name} at {level:F2} ({Timeline(_callers[listener], _callers[talker])})");
            }
        Assert.True(wrong.Count == 0, string.Join("; ", wrong) + "\n" + this);
    }

    /// <summary>The level in each 200 ms of the measured stretch, and the samples that arrived in it: where it went wrong.</summary>
    private string Timeline(ToneCaller listener, ToneCaller talker)
    {
        var parts = new List<string>();
        for (var t = _from; t + Window <= _to; t += Window)
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"{listener.LevelOf(talker.Frequency, t, t + Window) / ToneCaller.Amplitude:F2}/{listener.Heard(t, t + Window).Length}"));
        return string.Join(' ', parts);
    }

    public override string ToString()
    {
        var text = new StringBuilder("listener \\ talker: ").AppendJoin(' ', _callers.Select(c => c.Name.PadLeft(7))).AppendLine();
        for (var listener = 0; listener < _callers.Count; listener++)
        {
            text.Append(_callers[listener].Name.PadRight(19));
            for (var talker = 0; talker < _callers.Count; talker++)
                text.Append(' ').Append(_levels[listener, talker].ToString("F2", CultureInfo.InvariantCulture).PadLeft(7));
            text.AppendLine();
        }
        return text.ToString();
    }
}
