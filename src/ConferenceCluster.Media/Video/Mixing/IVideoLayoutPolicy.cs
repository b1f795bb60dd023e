namespace ConferenceCluster.Media.Video.Mixing;

/// <summary>What a tile of a composite shows (mirrors the layout rules' tile contents).</summary>
public enum VideoTileKind
{
    /// <summary>A participant's video; its camera-off placeholder while it sends none.</summary>
    Participant,

    /// <summary>"+N": participants not shown.</summary>
    Overflow,

    /// <summary>The small count of the others (1+0, 4+0).</summary>
    OthersCount,

    /// <summary>One audio-only participant's indicator.</summary>
    AudioOnlyIndicator,

    /// <summary>The audio-only indicator with a count.</summary>
    AudioOnlyAggregate,

    /// <summary>The holding screen of the only video sender.</summary>
    HoldingScreen,
}

/// <summary>One tile: its rectangle as fractions of the picture (0–1 from the top left) and what it shows.</summary>
public readonly record struct VideoTile(VideoTileKind Kind, double X, double Y, double Width, double Height, string? ParticipantKey = null, int Count = 0, bool IsMain = false);

/// <summary>One distinct picture of a conference and who sees it (participant keys, local to this node or not).</summary>
public sealed class VideoPictureLayout
{
    public VideoPictureLayout(IReadOnlyList<VideoTile> tiles, IReadOnlyList<string> viewers)
    {
        Tiles = tiles ?? throw new ArgumentNullException(nameof(tiles));
        Viewers = viewers ?? throw new ArgumentNullException(nameof(viewers));
    }

    public IReadOnlyList<VideoTile> Tiles { get; }

    public IReadOnlyList<string> Viewers { get; }
}

/// <summary>
/// Where the video pipeline gets its layouts from: the conference's layout rules (ConferenceCluster.Conferencing's
/// <c>Layouts</c>, adapted by the node that hosts the media). Called only on the conference's video worker, once per
/// frame: it is told who is loudest and answers with the conference's distinct pictures.
/// </summary>
public interface IVideoLayoutPolicy
{
    /// <summary>
    /// One frame's observation: <paramref name="loudest"/> is the participant whose voice is loudest now (null when
    /// nobody speaks), for voice switching.
    /// </summary>
    /// <returns>A version that changes whenever <see cref="Pictures"/> or <see cref="MainSources"/> changed.</returns>
    long Update(TimeSpan now, string? loudest);

    /// <summary>Every distinct picture of the conference, with all its viewers (this node composes those with local viewers).</summary>
    IReadOnlyList<VideoPictureLayout> Pictures { get; }

    /// <summary>Participants in a main position of some picture: their backplane streams travel at full size.</summary>
    IReadOnlyCollection<string> MainSources { get; }
}

/// <summary>How loud a participant is speaking now, from the audio mixer (for voice switching).</summary>
public interface ISpeakerActivity
{
    /// <summary>The speech level after the last audio tick in dBFS (the mixer's level with its release), −127 when silent.</summary>
    double SpeechLevelDbfs { get; }
}
