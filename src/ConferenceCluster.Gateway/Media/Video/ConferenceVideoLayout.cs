using ConferenceCluster.Conferencing.Layouts;
using ConferenceCluster.Media.Video.Mixing;
using ConferenceCluster.Media.Video.Workers;

namespace ConferenceCluster.Gateway.Media.Video;

/// <summary>
/// The conference's layout rules (<see cref="ConferenceLayout"/>, plain classes in ConferenceCluster.Conferencing) as
/// the video pipeline's <see cref="IVideoLayoutPolicy"/>: each frame it hands the audio mixer's loudest participant to
/// voice switching and, when anything changed, turns the conference's distinct pictures into the pipeline's tiles.
/// Every node hosting the conference runs one with the same roster, so all compose the same layouts.
/// </summary>
/// <remarks>
/// The rules are touched on the conference's video worker only: the pipeline calls <see cref="Update"/> there, and the
/// call controller's changes (<see cref="SetParticipantAsync"/> and the rest) are queued to it.
/// </remarks>
public sealed class ConferenceVideoLayout : IVideoLayoutPolicy
{
    private VideoConference? _conference;
    private long _version = -1;

    public ConferenceVideoLayout(ConferenceLayout layout) => Layout = layout ?? throw new ArgumentNullException(nameof(layout));

    public ConferenceVideoLayout(ConferenceLayoutSettings settings, TimeSpan? switchAfter = null)
        : this(new ConferenceLayout(settings, new VoiceSwitch(switchAfter)))
    {
    }

    /// <summary>The rules; read or change them on the conference's worker only (through the async methods).</summary>
    public ConferenceLayout Layout { get; }

    public IReadOnlyList<VideoPictureLayout> Pictures { get; private set; } = [];

    public IReadOnlyCollection<string> MainSources { get; private set; } = new HashSet<string>();

    /// <summary>Starts a conference's video on <paramref name="engine"/> with these layout rules.</summary>
    /// <param name="switchAfter">Voice switching's hold time (default 1 s).</param>
    public static async Task<(VideoConference Conference, ConferenceVideoLayout Layout)> StartAsync(
        VideoEngine engine, string conferenceId, ConferenceLayoutSettings settings, VideoConferenceOptions? options = null, TimeSpan? switchAfter = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var layout = new ConferenceVideoLayout(settings, switchAfter);
        VideoConference conference = await engine.CreateConferenceAsync(conferenceId, layout, options).ConfigureAwait(false);
        layout.Attach(conference);
        return (conference, layout);
    }

    /// <summary>Ties this layout to the conference whose worker runs it (once, right after creating the conference with it).</summary>
    public void Attach(VideoConference conference)
    {
        ArgumentNullException.ThrowIfNull(conference);
        if (_conference is not null && _conference != conference)
        {
            throw new InvalidOperationException("This layout already serves another conference.");
        }

        _conference = conference;
    }

    /// <summary>A participant joined, or its role or video changed (SDP direction, audio-only, a re-INVITE adding video).</summary>
    public Task SetParticipantAsync(LayoutParticipant participant) => OnWorker(() => Layout.AddOrUpdate(participant));

    public Task RemoveParticipantAsync(string participantId) => OnWorker(() => Layout.Remove(participantId));

    /// <summary>A Host's /layout (management API or the client API's transform_layout).</summary>
    public Task ChangeLayoutAsync(LayoutKind kind) => OnWorker(() => Layout.ChangeLayout(kind));

    public Task ChangeSettingsAsync(ConferenceLayoutSettings settings) => OnWorker(() => Layout.ChangeSettings(settings));

    /// <summary>
    /// The conference grain's roster and layout (<see cref="ConferenceVideoState"/>), in one change: who left goes, everyone
    /// else is added or updated in the roster's order (so join order holds: newcomers come last), and the layout follows.
    /// </summary>
    public Task ApplyAsync(IReadOnlyList<LayoutParticipant> roster, LayoutKind layout)
    {
        ArgumentNullException.ThrowIfNull(roster);
        return OnWorker(() =>
        {
            var present = roster.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
            foreach (string gone in Layout.Participants.Select(p => p.Id).Where(id => !present.Contains(id)).ToList())
            {
                Layout.Remove(gone);
            }

            foreach (LayoutParticipant participant in roster)
            {
                Layout.AddOrUpdate(participant);
            }

            if (Layout.Settings.HostLayout != layout)
            {
                Layout.ChangeLayout(layout);
            }
        });
    }

    public Task SetSpotlightAsync(string participantId, bool on) => OnWorker(() => Layout.SetSpotlight(participantId, on));

    public Task SetPresenterAsync(string? participantId) => OnWorker(() => Layout.SetPresenter(participantId));

    public long Update(TimeSpan now, string? loudest)
    {
        Layout.Voice.Observe(now, loudest);
        long version = Layout.Version;
        if (version != _version)
        {
            IReadOnlyList<LayoutPicture> plan = Layout.Plan();
            Pictures = plan.Select(ToPicture).ToArray();
            MainSources = plan.SelectMany(p => p.View.Main).ToHashSet(StringComparer.Ordinal);
            _version = version;
        }

        return _version;
    }

    private static VideoPictureLayout ToPicture(LayoutPicture picture) =>
        new(picture.View.Tiles.Select(tile => new VideoTile(KindOf(tile.Content), tile.Rect.X, tile.Rect.Y, tile.Rect.Width, tile.Rect.Height,
            tile.ParticipantId, tile.Count, tile.IsMain)).ToArray(), picture.Viewers);

    private static VideoTileKind KindOf(LayoutTileContent content) => content switch
    {
        LayoutTileContent.Participant => VideoTileKind.Participant,
        LayoutTileContent.Overflow => VideoTileKind.Overflow,
        LayoutTileContent.OthersCount => VideoTileKind.OthersCount,
        LayoutTileContent.AudioOnlyIndicator => VideoTileKind.AudioOnlyIndicator,
        LayoutTileContent.AudioOnlyAggregate => VideoTileKind.AudioOnlyAggregate,
        LayoutTileContent.HoldingScreen => VideoTileKind.HoldingScreen,
        _ => throw new ArgumentOutOfRangeException(nameof(content), content, null),
    };

    private Task OnWorker(Action change)
    {
        if (_conference is null)
        {
            change(); // not running yet: nothing else touches the rules
            return Task.CompletedTask;
        }

        return _conference.InvokeAsync(change);
    }
}
