namespace ConferenceCluster.Conferencing.Layouts;

/// <summary>A picture several viewers share: one composition and one encode per picture and resolution.</summary>
/// <param name="Viewers">In join order.</param>
public sealed record LayoutPicture(LayoutView View, IReadOnlyList<string> Viewers);

/// <summary>
/// The layout rules of one conference (seed L7089–7232): who each participant sees, where, in which order. Holds the
/// roster as the layouts need it, the speaking order (<see cref="Voice"/>), spotlights and the presenter; answers with
/// each viewer's <see cref="LayoutView"/> and with the distinct pictures of the whole conference (<see cref="Plan"/>).
/// </summary>
/// <remarks>
/// <para>The rules, for a viewer V:</para>
/// <list type="number">
/// <item><b>Nobody sees themselves in a main position</b>, so the current speaker sees the previous one (L7174,
/// L7178). V may appear in one of its own thumbnails where its turn falls (the position the main speaker's image
/// would otherwise push it to), unless <see cref="ConferenceLayoutSettings.ShowSelfInThumbnails"/> is off, when V is
/// in no tile of its own picture.</item>
/// <item><b>Who V may see.</b> A VMR: every participant with a tile (L5503). A VA Host: likewise. A VA Guest: the Hosts,
/// unless no Host is left or no Host sends video; then the other Guests (L7207–7213).</item>
/// <item><b>Order</b>: spotlighted participants in spotlight order (L7151), then (VA with Lock presenter, while a
/// presentation is shown) the presenter (L7155, L7231), then by who spoke most recently (L7178), those who never spoke
/// in join order. A VA Host in 1+0, 1+7, 1+21 and 2+21 sees Hosts before Guests (L5501, L7195, L7199); 4+0 is the
/// VMR's order (L7196: "same").</item>
/// <item><b>Positions</b>: the first <see cref="LayoutKinds.MainPositions"/> are the main speakers; the rest fill the
/// thumbnails; if they do not fit, the last thumbnail becomes "+N" (L7113); in 1+0 and 4+0 the rest is the
/// bottom-right count (L7174, L7175). A VA Guest with one Host to see gets that Host full screen in 1+7, 1+21 and
/// 2+21 (L7222).</item>
/// <item><b>Others</b>: audio-only participants become indicators, one each up to four, one aggregate from five (L7097,
/// L7105); if nobody V can see sends video, V gets the holding screen (L7114).</item>
/// </list>
/// Plain class: no clock, no sockets. Not thread-safe.
/// </remarks>
public sealed class ConferenceLayout
{
    private readonly List<LayoutParticipant> _participants = [];
    private readonly Dictionary<string, LayoutParticipant> _byId = new(StringComparer.Ordinal);
    private readonly List<string> _spotlight = [];
    private string? _presenter;
    private long _changes;

    public ConferenceLayout(ConferenceLayoutSettings? settings = null, VoiceSwitch? voice = null)
    {
        Settings = settings ?? ConferenceLayoutSettings.MeetingRoom();
        Voice = voice ?? new VoiceSwitch();
    }

    public ConferenceLayoutSettings Settings { get; private set; }

    /// <summary>The speaking order the views follow.</summary>
    public VoiceSwitch Voice { get; }

    /// <summary>Changes whenever any view may have changed (roster, settings, spotlight, presenter, speaking order).</summary>
    public long Version => _changes + Voice.Version;

    public IReadOnlyList<LayoutParticipant> Participants => _participants;

    public IReadOnlyList<string> Spotlight => _spotlight;

    /// <summary>Adds a participant (at the end of the join order) or updates its role and video flags.</summary>
    public void AddOrUpdate(LayoutParticipant participant)
    {
        ArgumentNullException.ThrowIfNull(participant);
        ArgumentException.ThrowIfNullOrEmpty(participant.Id);
        if (_byId.TryGetValue(participant.Id, out LayoutParticipant? existing))
        {
            if (existing == participant)
            {
                return;
            }

            _participants[_participants.IndexOf(existing)] = participant;
        }
        else
        {
            _participants.Add(participant);
        }

        _byId[participant.Id] = participant;
        _changes++;
    }

    public bool Remove(string id)
    {
        if (!_byId.Remove(id, out LayoutParticipant? participant))
        {
            return false;
        }

        _participants.Remove(participant);
        _spotlight.Remove(id);
        if (_presenter == id)
        {
            _presenter = null;
        }

        Voice.Forget(id);
        _changes++;
        return true;
    }

    /// <summary>
    /// A Host changed the layout (<c>/layout n:m</c>, L7089): in a VMR everyone's, in a VA the Hosts' (L7184: Hosts change
    /// "the layout seen by other Hosts").
    /// </summary>
    public void ChangeLayout(LayoutKind kind)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown layout.");
        }

        Settings = Settings.IsAuditorium ? Settings with { HostLayout = kind } : Settings with { HostLayout = kind, GuestLayout = kind };
        _changes++;
    }

    /// <summary>Replaces the settings (an operator's change; the seed applies configuration to later conferences, L5522).</summary>
    public void ChangeSettings(ConferenceLayoutSettings settings)
    {
        Settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _changes++;
    }

    /// <summary>Spotlight on or off (<c>/spotlight on|off</c>, L7159); the first spotlighted holds the main position (L7151).</summary>
    public void SetSpotlight(string id, bool on)
    {
        bool changed = on ? !_spotlight.Contains(id) && _byId.ContainsKey(id) : _spotlight.Remove(id);
        if (on && changed)
        {
            _spotlight.Add(id);
        }

        if (changed)
        {
            _changes++;
        }
    }

    /// <summary>Who is presenting (null: nobody); only matters in a VA with Lock presenter as main speaker (L7228).</summary>
    public void SetPresenter(string? id)
    {
        if (_presenter != id)
        {
            _presenter = id;
            _changes++;
        }
    }

    /// <summary>What <paramref name="viewerId"/> sees; null if it is not in the conference or receives no video.</summary>
    public LayoutView? ViewFor(string viewerId)
    {
        if (!_byId.TryGetValue(viewerId, out LayoutParticipant? viewer) || !viewer.ReceivesVideo)
        {
            return null;
        }

        bool guestView = Settings.IsAuditorium && viewer.Role == LayoutRole.Guest;
        LayoutKind kind = guestView ? Settings.GuestLayout : Settings.HostLayout;
        Func<LayoutParticipant, bool> mayBeSeen = SeenBy(viewer);
        List<LayoutParticipant> ordered = Order(viewer, kind, mayBeSeen);
        int audioOnly = _participants.Count(p => p.Id != viewer.Id && p.IsAudioOnly && mayBeSeen(p));
        bool othersSendVideo = ordered.Exists(p => p.SendsVideo && p.Id != viewer.Id);
        int others = ordered.Count(p => p.Id != viewer.Id);
        return Compose(kind, ordered, audioOnly, holding: !othersSendVideo, fullScreenSingle: guestView && others == 1);
    }

    /// <summary>Every video receiver's view, grouped into distinct pictures (first viewer's join order).</summary>
    public IReadOnlyList<LayoutPicture> Plan()
    {
        var pictures = new List<(LayoutView View, List<string> Viewers)>();
        foreach (LayoutParticipant participant in _participants)
        {
            if (ViewFor(participant.Id) is not { } view)
            {
                continue;
            }

            int index = pictures.FindIndex(p => p.View.Equals(view));
            if (index < 0)
            {
                pictures.Add((view, [participant.Id]));
            }
            else
            {
                pictures[index].Viewers.Add(participant.Id);
            }
        }

        return pictures.Select(p => new LayoutPicture(p.View, p.Viewers)).ToList();
    }

    /// <summary>Who may appear in <paramref name="viewer"/>'s picture at all (rule 2).</summary>
    private Func<LayoutParticipant, bool> SeenBy(LayoutParticipant viewer)
    {
        if (!Settings.IsAuditorium || viewer.Role == LayoutRole.Host)
        {
            return _ => true;
        }

        // L7212: all Hosts have left; L7213: no Host sends video. Either way the Guests see each other.
        bool hostSendsVideo = _participants.Exists(p => p.Role == LayoutRole.Host && p.SendsVideo);
        return hostSendsVideo ? p => p.Role == LayoutRole.Host : p => p.Role == LayoutRole.Guest;
    }

    /// <summary>Rule 3: the participants with a tile that the viewer may see, in display order.</summary>
    private List<LayoutParticipant> Order(LayoutParticipant viewer, LayoutKind kind, Func<LayoutParticipant, bool> mayBeSeen)
    {
        IReadOnlyList<string> recency = Voice.Recency;
        int Rank(LayoutParticipant p)
        {
            int spoken = IndexOf(recency, p.Id);
            return spoken >= 0 ? spoken : recency.Count + _participants.IndexOf(p);
        }

        bool hostsFirst = Settings.IsAuditorium && viewer.Role == LayoutRole.Host && kind != LayoutKind.FourPlusZero;
        List<LayoutParticipant> ordered = _participants
            .Where(p => (p.Id != viewer.Id || Settings.ShowSelfInThumbnails) && p.HasTile && mayBeSeen(p))
            .OrderBy(p => hostsFirst && p.Role == LayoutRole.Guest ? 1 : 0)
            .ThenBy(Rank)
            .ToList();

        // Ahead of voice switching: the presenter (VA, Lock presenter), and ahead of it the spotlighted (L7155).
        if (Settings.IsAuditorium && Settings.LockPresenterAsMainSpeaker && _presenter is { } presenter)
        {
            MoveToFront(ordered, presenter, 0);
        }

        int position = 0;
        foreach (string id in _spotlight)
        {
            if (MoveToFront(ordered, id, position))
            {
                position++;
            }
        }

        // Never in a main position of its own picture: it takes the first place after them, a thumbnail (in 1+0 and
        // 4+0, which have none, it is left out, so the count of the others does not count the viewer).
        int viewerIndex = ordered.FindIndex(p => p.Id == viewer.Id);
        int mainPositions = kind.MainPositions();
        if (viewerIndex >= 0 && (viewerIndex < mainPositions || kind.Thumbnails() == 0))
        {
            LayoutParticipant self = ordered[viewerIndex];
            ordered.RemoveAt(viewerIndex);
            if (kind.Thumbnails() > 0)
            {
                ordered.Insert(Math.Min(mainPositions, ordered.Count), self);
            }
        }

        return ordered;
    }

    /// <summary>Rules 4 and 5: positions, overflow, counts, indicators, holding screen, and the tiles that draw them.</summary>
    private static LayoutView Compose(LayoutKind kind, List<LayoutParticipant> ordered, int audioOnly, bool holding, bool fullScreenSingle)
    {
        var tiles = new List<LayoutTile>();
        List<string> main = [], thumbnails = [];
        int overflow = 0, others = 0;
        if (holding)
        {
            tiles.Add(new LayoutTile(LayoutTileContent.HoldingScreen, LayoutGeometry.FullScreen));
        }
        else
        {
            int mainCount = Math.Min(kind.MainPositions(), ordered.Count);
            main.AddRange(ordered.Take(mainCount).Select(p => p.Id));
            List<string> rest = ordered.Skip(mainCount).Select(p => p.Id).ToList();
            int capacity = kind.Thumbnails();
            if (capacity == 0)
            {
                others = rest.Count;
            }
            else if (rest.Count > capacity)
            {
                thumbnails.AddRange(rest.Take(capacity - 1));
                overflow = rest.Count - (capacity - 1);
            }
            else
            {
                thumbnails.AddRange(rest);
            }

            bool single = fullScreenSingle && capacity > 0;
            if (single)
            {
                thumbnails.Clear(); // the one participant to see, full screen (and no self-view under it)
                overflow = 0;
            }

            IReadOnlyList<LayoutRect> mainRects = single ? [LayoutGeometry.FullScreen] : LayoutGeometry.MainPositions(kind, main.Count);
            for (int i = 0; i < main.Count; i++)
            {
                tiles.Add(new LayoutTile(LayoutTileContent.Participant, mainRects[i], main[i], IsMain: true));
            }

            for (int i = 0; i < thumbnails.Count; i++)
            {
                tiles.Add(new LayoutTile(LayoutTileContent.Participant, LayoutGeometry.Thumbnail(kind, i), thumbnails[i]));
            }

            if (overflow > 0)
            {
                tiles.Add(new LayoutTile(LayoutTileContent.Overflow, LayoutGeometry.Thumbnail(kind, capacity - 1), Count: overflow));
            }

            if (others > 0)
            {
                tiles.Add(new LayoutTile(LayoutTileContent.OthersCount, LayoutGeometry.OthersCountIcon, Count: others));
            }
        }

        if (audioOnly is > 0 and <= 4)
        {
            for (int i = 0; i < audioOnly; i++)
            {
                tiles.Add(new LayoutTile(LayoutTileContent.AudioOnlyIndicator, LayoutGeometry.AudioOnlyIndicator(i)));
            }
        }
        else if (audioOnly > 4)
        {
            tiles.Add(new LayoutTile(LayoutTileContent.AudioOnlyAggregate, LayoutGeometry.AudioOnlyIndicator(0), Count: audioOnly));
        }

        return new LayoutView(kind, main, thumbnails, overflow, others, audioOnly, holding, tiles);
    }

    private static bool MoveToFront(List<LayoutParticipant> ordered, string id, int position)
    {
        int index = ordered.FindIndex(p => p.Id == id);
        if (index < 0)
        {
            return false;
        }

        LayoutParticipant participant = ordered[index];
        ordered.RemoveAt(index);
        ordered.Insert(Math.Min(position, ordered.Count), participant);
        return true;
    }

    private static int IndexOf(IReadOnlyList<string> list, string id)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] == id)
            {
                return i;
            }
        }

        return -1;
    }
}
