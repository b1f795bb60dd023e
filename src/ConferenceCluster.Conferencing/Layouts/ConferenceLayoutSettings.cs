namespace ConferenceCluster.Conferencing.Layouts;

/// <summary>
/// A conference's layout configuration: a VMR's View (everyone sees the same layout, L7165), or a Virtual Auditorium's
/// Host and Guest views and its Lock presenter as main speaker (L5580, L5581, L5586).
/// </summary>
public sealed record ConferenceLayoutSettings
{
    /// <summary>A Virtual Auditorium: Guests see Hosts only, Hosts see Hosts first (L5500–5501).</summary>
    public bool IsAuditorium { get; init; }

    /// <summary>A VMR's View, or a VA's Host view (default 1+7: L5535, L5580).</summary>
    public LayoutKind HostLayout { get; init; } = LayoutKinds.Default;

    /// <summary>A VA's Guest view (default 1+7: L5581); a VMR ignores it.</summary>
    public LayoutKind GuestLayout { get; init; } = LayoutKinds.Default;

    /// <summary>VA only: while a presentation is shown, the presenter holds the main position (L7228–7232).</summary>
    public bool LockPresenterAsMainSpeaker { get; init; }

    /// <summary>
    /// Whether a viewer may see its own video in a thumbnail (default yes). Nobody ever sees themselves in a main
    /// position: the current speaker sees the previous one (L7174, L7178). The seed's thumbnails hold "up to 7 other
    /// participants" (other than the main speaker), and allowing the viewer among them is what lets everyone but the
    /// speaker share one picture (issue 14: about two encodes per resolution in 1+7, not one per participant). False
    /// is the strict reading (no self-view anywhere): then every viewer among the visible ones gets a picture of its own.
    /// docs/decisions.md, "Self-view".
    /// </summary>
    public bool ShowSelfInThumbnails { get; init; } = true;

    public static ConferenceLayoutSettings MeetingRoom(LayoutKind view = LayoutKinds.Default) => new() { HostLayout = view, GuestLayout = view };

    public static ConferenceLayoutSettings Auditorium(LayoutKind hostView = LayoutKinds.Default, LayoutKind guestView = LayoutKinds.Default, bool lockPresenter = false) =>
        new() { IsAuditorium = true, HostLayout = hostView, GuestLayout = guestView, LockPresenterAsMainSpeaker = lockPresenter };
}
