namespace ConferenceCluster.Conferencing.Services;

/// <summary>The conference controls a Host can key in (R-DTMF, L8140–8171), named as in themeconfig.json (L8501).</summary>
public enum DtmfCommand
{
    /// <summary><c>toggle_lock</c>, <c>*7</c> by default (R-LOCK-1).</summary>
    ToggleLock,

    /// <summary><c>toggle_guest_mute</c>, <c>*5</c> by default (R-MUTE-2).</summary>
    ToggleGuestMute,

    /// <summary><c>end_conference</c>, <c>##</c> by default: disconnects everyone, the Host included (L8151).</summary>
    EndConference,
}

/// <summary>
/// A theme's DTMF conference control: on or off, and the two-digit code of each command (L8146–8171, L8469–8501).
/// Build it with <see cref="FromTheme"/>, which applies the seed's rules: each code exactly two DTMF digits, all codes
/// different, and anything else edited disables DTMF control altogether (L8501).
/// </summary>
public sealed record DtmfConferenceControl
{
    public static readonly DtmfConferenceControl Default = new(true, new Dictionary<string, DtmfCommand>
    {
        ["*7"] = DtmfCommand.ToggleLock,
        ["*5"] = DtmfCommand.ToggleGuestMute,
        ["##"] = DtmfCommand.EndConference,
    });

    public static readonly DtmfConferenceControl Disabled = new(false, new Dictionary<string, DtmfCommand>());

    private DtmfConferenceControl(bool enabled, IReadOnlyDictionary<string, DtmfCommand> codes)
    {
        Enabled = enabled;
        Codes = codes;
    }

    /// <summary><c>enable_dtmf_conference_control</c>, default true (L8469–8486).</summary>
    public bool Enabled { get; }

    /// <summary>Code → command, e.g. <c>"*7" → ToggleLock</c>.</summary>
    public IReadOnlyDictionary<string, DtmfCommand> Codes { get; }

    private static readonly Dictionary<string, DtmfCommand> CommandNames = new(StringComparer.Ordinal)
    {
        ["toggle_lock"] = DtmfCommand.ToggleLock,
        ["toggle_guest_mute"] = DtmfCommand.ToggleGuestMute,
        ["end_conference"] = DtmfCommand.EndConference,
    };

    /// <summary>
    /// From a theme's <c>dtmf_conference_control_commands</c> (code → command name) and <c>enable_dtmf_conference_control</c>.
    /// An invalid map gives <see cref="Disabled"/> and says why, rather than guessing what the administrator meant.
    /// </summary>
    public static DtmfConferenceControl FromTheme(IReadOnlyDictionary<string, string> commands, bool enabled, out string? problem)
    {
        problem = Problem(commands);
        if (!enabled || problem is not null) return Disabled;
        return new DtmfConferenceControl(true, commands.ToDictionary(kv => kv.Key, kv => CommandNames[kv.Value], StringComparer.Ordinal));
    }

    private static string? Problem(IReadOnlyDictionary<string, string> commands)
    {
        foreach (var (code, name) in commands)
        {
            if (code.Length != 2 || !code.All(IsDtmfDigit))
                return $"DTMF code \"{code}\" must be exactly two DTMF digits (L8159).";
            if (!CommandNames.ContainsKey(name))
                return $"Unknown DTMF command \"{name}\"; editing anything but the digits disables DTMF control (L8501).";
        }
        var names = commands.Values.ToList();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            return "Each DTMF command may have only one code; all the codes must be different (L8159).";
        return null;
    }

    public static bool IsDtmfDigit(char c) => c is >= '0' and <= '9' or '*' or '#' or >= 'A' and <= 'D';
}

/// <summary>
/// Collects one participant's DTMF digits into two-digit codes. The first digit of a code is forgotten if the second
/// does not follow within <see cref="InterDigitTimeout"/>. A pair that is no code keeps its second digit as a new
/// first digit, which is why the seed warns that <c>775</c> reads as <c>77</c> (L8161–8167).
/// </summary>
public sealed class DtmfCommandCollector(DtmfConferenceControl control, TimeProvider time)
{
    /// <summary>Short: a deliberate two-key code is keyed in well under this. Our choice; the seed gives none.</summary>
    public static readonly TimeSpan DefaultInterDigitTimeout = TimeSpan.FromSeconds(3);

    private char? _pending;
    private DateTimeOffset _pendingAt;

    public TimeSpan InterDigitTimeout { get; init; } = DefaultInterDigitTimeout;

    /// <summary>Feeds digits in arrival order; answers the commands they complete, in order.</summary>
    public IReadOnlyList<DtmfCommand> Add(string digits)
    {
        if (!control.Enabled) return [];
        List<DtmfCommand>? commands = null;
        foreach (var digit in digits)
        {
            if (!DtmfConferenceControl.IsDtmfDigit(digit)) continue;
            var now = time.GetUtcNow();
            if (_pending is { } first && now - _pendingAt <= InterDigitTimeout
                && control.Codes.TryGetValue(string.Concat(first, digit), out var command))
            {
                (commands ??= []).Add(command);
                _pending = null;
                continue;
            }
            _pending = digit;
            _pendingAt = now;
        }
        return commands ?? (IReadOnlyList<DtmfCommand>)[];
    }
}
