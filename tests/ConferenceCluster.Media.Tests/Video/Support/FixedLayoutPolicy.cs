using ConferenceCluster.Media.Video.Mixing;

namespace ConferenceCluster.Media.Tests.Video.Support;

/// <summary>
/// A layout policy whose pictures the test sets (the media pipeline's tests do not need the layout rules, which
/// ConferenceCluster.Conferencing tests on their own). Records who the pipeline said was loudest.
/// </summary>
internal sealed class FixedLayoutPolicy : IVideoLayoutPolicy
{
    private long _version;

    public IReadOnlyList<VideoPictureLayout> Pictures { get; private set; } = [];

    public IReadOnlyCollection<string> MainSources { get; private set; } = [];

    public List<string?> Loudest { get; } = [];

    /// <summary>Replaces the pictures (call on the conference's worker, through VideoConference.InvokeAsync, once it runs).</summary>
    public void Set(IReadOnlyList<VideoPictureLayout> pictures, IReadOnlyCollection<string>? mainSources = null)
    {
        Pictures = pictures;
        MainSources = mainSources ?? pictures.SelectMany(p => p.Tiles.Where(t => t.IsMain).Select(t => t.ParticipantKey!)).ToHashSet();
        _version++;
    }

    public long Update(TimeSpan now, string? loudest)
    {
        if (Loudest.Count == 0 || Loudest[^1] != loudest)
        {
            Loudest.Add(loudest);
        }

        return _version;
    }

    /// <summary>A picture of one participant full screen.</summary>
    public static VideoPictureLayout FullScreen(string shown, params string[] viewers) =>
        new([new VideoTile(VideoTileKind.Participant, 0, 0, 1, 1, shown, IsMain: true)], viewers);

    /// <summary>A picture of the listed participants side by side in equal columns (the first one main).</summary>
    public static VideoPictureLayout Columns(IReadOnlyList<string> shown, params string[] viewers) =>
        new(shown.Select((key, i) => new VideoTile(VideoTileKind.Participant, (double)i / shown.Count, 0, 1.0 / shown.Count, 1, key, IsMain: i == 0)).ToArray(), viewers);
}
