namespace ConferenceCluster.Conferencing.Layouts;

/// <summary>What a tile of a composed picture shows.</summary>
public enum LayoutTileContent
{
    /// <summary>A participant's video (or their camera-off icon, L7111, when they do not send any).</summary>
    Participant,

    /// <summary>The last thumbnail replaced by "+N", the video participants not shown (L7113).</summary>
    Overflow,

    /// <summary>1+0 and 4+0: the small bottom-right icon with the number of other participants (L7174, L7175).</summary>
    OthersCount,

    /// <summary>One audio-only participant's indicator on the left (1–4 of them, L7097).</summary>
    AudioOnlyIndicator,

    /// <summary>One indicator with the number of audio-only participants (5 or more, L7105).</summary>
    AudioOnlyAggregate,

    /// <summary>The holding screen of the only video sender (L7114).</summary>
    HoldingScreen,
}

/// <summary>A rectangle as fractions of the picture (0–1 from the top left), so one layout serves every resolution.</summary>
public readonly record struct LayoutRect(double X, double Y, double Width, double Height)
{
    public double Right => X + Width;

    public double Bottom => Y + Height;

    public bool Overlaps(LayoutRect other) =>
        X < other.Right - 1e-9 && other.X < Right - 1e-9 && Y < other.Bottom - 1e-9 && other.Y < Bottom - 1e-9;
}

/// <summary>One tile: where it is, what it shows, whose video (for <see cref="LayoutTileContent.Participant"/>) or which number.</summary>
public readonly record struct LayoutTile(LayoutTileContent Content, LayoutRect Rect, string? ParticipantId = null, int Count = 0, bool IsMain = false);

/// <summary>
/// What one viewer sees: the layout, who is in the main positions and the thumbnails (in order), and the tiles that
/// draw it. Value equality: two viewers with equal views see the same picture, composed and encoded once.
/// </summary>
public sealed class LayoutView : IEquatable<LayoutView>
{
    internal LayoutView(LayoutKind kind, IReadOnlyList<string> main, IReadOnlyList<string> thumbnails, int overflow, int othersCount, int audioOnly, bool holdingScreen, IReadOnlyList<LayoutTile> tiles)
    {
        Kind = kind;
        Main = main;
        Thumbnails = thumbnails;
        OverflowCount = overflow;
        OthersCount = othersCount;
        AudioOnlyCount = audioOnly;
        HoldingScreen = holdingScreen;
        Tiles = tiles;
    }

    public LayoutKind Kind { get; }

    /// <summary>Participants in the main positions, first = the main speaker.</summary>
    public IReadOnlyList<string> Main { get; }

    /// <summary>Participants in live thumbnails, left to right (row by row from the top in 1+21 and 2+21).</summary>
    public IReadOnlyList<string> Thumbnails { get; }

    /// <summary>N of the "+N" tile in place of the last thumbnail (0: none).</summary>
    public int OverflowCount { get; }

    /// <summary>1+0 and 4+0: video participants not shown (the bottom-right icon; 0: no icon).</summary>
    public int OthersCount { get; }

    /// <summary>Audio-only participants shown as indicators (L7097, L7105).</summary>
    public int AudioOnlyCount { get; }

    /// <summary>Nobody else sends video (L7114).</summary>
    public bool HoldingScreen { get; }

    public IReadOnlyList<LayoutTile> Tiles { get; }

    /// <summary>Everyone in a tile, main positions first.</summary>
    public IEnumerable<string> Visible => Main.Concat(Thumbnails);

    public bool Equals(LayoutView? other) =>
        other is not null && Kind == other.Kind && OverflowCount == other.OverflowCount && OthersCount == other.OthersCount &&
        AudioOnlyCount == other.AudioOnlyCount && HoldingScreen == other.HoldingScreen && Tiles.SequenceEqual(other.Tiles);

    public override bool Equals(object? obj) => Equals(obj as LayoutView);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        foreach (LayoutTile tile in Tiles)
        {
            hash.Add(tile);
        }

        return hash.ToHashCode();
    }

    public override string ToString() =>
        $"{Kind.ToCommand()} main [{string.Join(", ", Main)}] thumbnails [{string.Join(", ", Thumbnails)}]" +
        (OverflowCount > 0 ? $" +{OverflowCount}" : "") + (OthersCount > 0 ? $" others {OthersCount}" : "") +
        (AudioOnlyCount > 0 ? $" audio-only {AudioOnlyCount}" : "") + (HoldingScreen ? " holding" : "");
}
