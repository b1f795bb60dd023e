namespace ConferenceCluster.Conferencing.Layouts;

/// <summary>Pexip's layouts (seed L7174–7180 for a VMR and a VA's Host view, L7218–7224 for a VA's Guest view).</summary>
[GenerateSerializer, Alias("cc.LayoutKind")]
public enum LayoutKind
{
    /// <summary>1 + 0: the main speaker full screen, no thumbnails (L7174).</summary>
    OnePlusZero,

    /// <summary>4 + 0: up to four speakers in 2 × 2, no thumbnails (L7175).</summary>
    FourPlusZero,

    /// <summary>1 + 7: a large main speaker and one row of up to 7 thumbnails at the bottom; the default (L7178, L5535).</summary>
    OnePlusSeven,

    /// <summary>1 + 21: a slightly smaller main speaker and up to 21 thumbnails in 3 rows (L7179).</summary>
    OnePlusTwentyOne,

    /// <summary>2 + 21: the main speaker and the most recent speaker side by side on top, 21 thumbnails below (L7180).</summary>
    TwoPlusTwentyOne,
}

/// <summary>The numbers behind each <see cref="LayoutKind"/> and its <c>/layout n:m</c> command name (L7174–7180).</summary>
public static class LayoutKinds
{
    /// <summary>The default of a VMR's View and a VA's Host and Guest views (L5535, L5580, L5581).</summary>
    public const LayoutKind Default = LayoutKind.OnePlusSeven;

    /// <summary>Participants in main positions: 1, 4, 1, 1, 2.</summary>
    public static int MainPositions(this LayoutKind kind) => kind switch
    {
        LayoutKind.FourPlusZero => 4,
        LayoutKind.TwoPlusTwentyOne => 2,
        _ => 1,
    };

    /// <summary>Thumbnails: 0, 0, 7, 21, 21.</summary>
    public static int Thumbnails(this LayoutKind kind) => kind switch
    {
        LayoutKind.OnePlusSeven => 7,
        LayoutKind.OnePlusTwentyOne or LayoutKind.TwoPlusTwentyOne => 21,
        _ => 0,
    };

    /// <summary>The command form, e.g. "1:7" for <c>/layout 1:7</c>.</summary>
    public static string ToCommand(this LayoutKind kind) => kind switch
    {
        LayoutKind.OnePlusZero => "1:0",
        LayoutKind.FourPlusZero => "4:0",
        LayoutKind.OnePlusSeven => "1:7",
        LayoutKind.OnePlusTwentyOne => "1:21",
        LayoutKind.TwoPlusTwentyOne => "2:21",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>
    /// The management API's name of a layout, as Pexip's conference resource spells its <c>host_view</c>/<c>guest_view</c>
    /// choices: one_main_zero_pips, four_mains_zero_pips, one_main_seven_pips, one_main_twentyone_pips, two_mains_twentyone_pips.
    /// </summary>
    public static string ToViewName(this LayoutKind kind) => kind switch
    {
        LayoutKind.OnePlusZero => "one_main_zero_pips",
        LayoutKind.FourPlusZero => "four_mains_zero_pips",
        LayoutKind.OnePlusSeven => "one_main_seven_pips",
        LayoutKind.OnePlusTwentyOne => "one_main_twentyone_pips",
        LayoutKind.TwoPlusTwentyOne => "two_mains_twentyone_pips",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Reads a <see cref="ToViewName"/> name.</summary>
    public static bool TryParseViewName(string? name, out LayoutKind kind)
    {
        foreach (LayoutKind candidate in Enum.GetValues<LayoutKind>())
        {
            if (candidate.ToViewName() == name)
            {
                kind = candidate;
                return true;
            }
        }

        kind = Default;
        return false;
    }

    /// <summary>Reads "1:0", "4:0", "1:7", "1:21", "2:21" (also with '+' and spaces, as the option labels write them).</summary>
    public static bool TryParse(string? text, out LayoutKind kind)
    {
        string normalized = (text ?? "").Replace(" ", "", StringComparison.Ordinal).Replace('+', ':');
        foreach (LayoutKind candidate in Enum.GetValues<LayoutKind>())
        {
            if (candidate.ToCommand() == normalized)
            {
                kind = candidate;
                return true;
            }
        }

        kind = Default;
        return false;
    }
}
