using ConferenceCluster.Conferencing.Layouts;
using static ConferenceCluster.Conferencing.Tests.Layouts.LayoutTestKit;

namespace ConferenceCluster.Conferencing.Tests.Layouts;

/// <summary>Virtual Auditorium layouts: Host view L7186–7201, Guest view L7203–7224, Lock presenter L7226–7232.</summary>
public sealed class AuditoriumLayoutTests
{
    private static IEnumerable<string> Others(LayoutView view, string viewer) => view.Visible.Where(id => id != viewer);

    private static ConferenceLayout Auditorium(int hosts, int guests, LayoutKind hostView = LayoutKind.OnePlusSeven, LayoutKind guestView = LayoutKind.OnePlusSeven, bool lockPresenter = false)
    {
        var layout = new ConferenceLayout(ConferenceLayoutSettings.Auditorium(hostView, guestView, lockPresenter));
        for (int i = 1; i <= hosts; i++) layout.AddOrUpdate(new LayoutParticipant($"H{i}", LayoutRole.Host));
        for (int i = 1; i <= guests; i++) layout.AddOrUpdate(new LayoutParticipant($"G{i}", LayoutRole.Guest));
        return layout;
    }

    [Fact]
    public void Guests_see_hosts_only_and_a_speaking_guest_is_heard_not_seen_L5500_L7207_L7208_AT40()
    {
        ConferenceLayout layout = Auditorium(hosts: 2, guests: 5);
        Speak(layout, "H2", "H1", "G3"); // a Guest is speaking now
        LayoutView guest = View(layout, "G1");
        Assert.Equal(["H1"], guest.Main); // the speaking (most recent) Host
        Assert.Equal(["H2"], guest.Thumbnails);
        Assert.DoesNotContain(guest.Visible, id => id.StartsWith('G'));
        Assert.DoesNotContain("G3", View(layout, "G5").Visible);
        AssertNobodyTwiceAndNotSelf(layout);
    }

    [Fact]
    public void All_guests_share_one_picture_because_they_see_only_hosts_L5500()
    {
        ConferenceLayout layout = Auditorium(hosts: 3, guests: 40);
        Speak(layout, "H3", "H1");
        IReadOnlyList<LayoutPicture> pictures = layout.Plan();
        LayoutPicture guests = Assert.Single(pictures, p => p.Viewers.Contains("G1"));
        Assert.Equal(40, guests.Viewers.Count);
        Assert.Equal(["H1"], guests.View.Main);
        Assert.Equal(["H3", "H2"], guests.View.Thumbnails);
    }

    [Fact]
    public void A_guest_with_one_host_to_see_gets_it_full_screen_L7222_AT40()
    {
        ConferenceLayout layout = Auditorium(hosts: 1, guests: 3);
        LayoutView guest = View(layout, "G2");
        LayoutTile tile = Assert.Single(guest.Tiles);
        Assert.Equal(("H1", LayoutGeometry.FullScreen), (tile.ParticipantId, tile.Rect));
    }

    [Fact]
    public void Guests_see_guests_when_all_hosts_have_left_or_none_sends_video_L7212_L7213_AT42()
    {
        ConferenceLayout layout = Auditorium(hosts: 1, guests: 3);
        layout.AddOrUpdate(new LayoutParticipant("H1", LayoutRole.Host, SendsVideo: false, ReceivesVideo: false)); // audio-only Host
        Assert.Equal(["G2", "G3"], Others(View(layout, "G1"), "G1"));

        layout.AddOrUpdate(new LayoutParticipant("H1", LayoutRole.Host)); // the Host escalates to video
        Assert.Equal(["H1"], View(layout, "G1").Visible);

        layout.Remove("H1"); // every Host has left
        Assert.Equal(["G2", "G3"], Others(View(layout, "G1"), "G1"));
        AssertNobodyTwiceAndNotSelf(layout);
    }

    [Fact]
    public void A_lone_host_sees_the_most_recent_guest_speaker_in_main_L7199_AT41()
    {
        ConferenceLayout layout = Auditorium(hosts: 1, guests: 4);
        Speak(layout, "G2", "G4");
        LayoutView host = View(layout, "H1");
        Assert.Equal(["G4"], host.Main);
        Assert.Equal(["H1", "G2", "G1", "G3"], host.Thumbnails); // Hosts first: here only its own thumbnail
    }

    [Fact]
    public void Hosts_see_the_other_hosts_first_then_guests_each_by_recency_L5501_L7199_AT41()
    {
        ConferenceLayout layout = Auditorium(hosts: 2, guests: 5);
        Speak(layout, "G1", "H2", "G4", "G2"); // G2 spoke last, H2 before G4
        LayoutView host = View(layout, "H1");
        Assert.Equal(["H2"], host.Main); // several Hosts: the (most recently) speaking Host
        Assert.Equal(["H1", "G2", "G4", "G1", "G3", "G5"], host.Thumbnails); // Hosts, then Guests by recency
        Assert.Equal(["G2", "G4", "G1", "G3", "G5"], Others(host, "H1").Skip(1));

        Speak(layout, "H1");
        Assert.Equal(["H2"], View(layout, "H1").Main); // the speaking Host sees the previous Host speaker
        Assert.Equal(["H1"], View(layout, "H2").Main);
        AssertNobodyTwiceAndNotSelf(layout);
    }

    [Fact]
    public void Host_one_plus_zero_speaking_host_sees_the_previous_host_or_without_one_the_latest_guest_L7195()
    {
        ConferenceLayout layout = Auditorium(hosts: 2, guests: 2, hostView: LayoutKind.OnePlusZero);
        Speak(layout, "H2", "G2", "H1");
        Assert.Equal(["H2"], View(layout, "H1").Main);
        layout.Remove("H2");
        Assert.Equal(["G2"], View(layout, "H1").Main);
    }

    [Fact]
    public void Host_four_plus_zero_is_the_meeting_rooms_order_L7196()
    {
        ConferenceLayout layout = Auditorium(hosts: 2, guests: 4, hostView: LayoutKind.FourPlusZero);
        Speak(layout, "H2", "G3", "G1", "G2");
        Assert.Equal(["G2", "G1", "G3", "H2"], View(layout, "H1").Main);
    }

    [Fact]
    public void Guest_one_plus_zero_counts_the_other_hosts_from_two_and_four_plus_zero_from_five_L7218_L7221()
    {
        ConferenceLayout one = Auditorium(hosts: 2, guests: 1, guestView: LayoutKind.OnePlusZero);
        Speak(one, "H2", "H1");
        LayoutView guest = View(one, "G1");
        Assert.Equal(["H1"], guest.Main); // the Host who spoke most recently
        Assert.Equal(1, guest.OthersCount);
        Assert.Equal(0, View(Auditorium(hosts: 1, guests: 1, guestView: LayoutKind.OnePlusZero), "G1").OthersCount);

        Assert.Equal(0, View(Auditorium(hosts: 4, guests: 1, guestView: LayoutKind.FourPlusZero), "G1").OthersCount);
        LayoutView five = View(Auditorium(hosts: 5, guests: 1, guestView: LayoutKind.FourPlusZero), "G1");
        Assert.Equal(4, five.Main.Count);
        Assert.Equal(1, five.OthersCount);
    }

    [Fact]
    public void Hosts_and_guests_have_their_own_layouts_and_a_host_changes_only_the_hosts_one_L5498_L7184()
    {
        ConferenceLayout layout = Auditorium(hosts: 2, guests: 2, hostView: LayoutKind.OnePlusSeven, guestView: LayoutKind.OnePlusZero);
        Assert.Equal(LayoutKind.OnePlusSeven, View(layout, "H1").Kind);
        Assert.Equal(LayoutKind.OnePlusZero, View(layout, "G1").Kind);
        layout.ChangeLayout(LayoutKind.TwoPlusTwentyOne);
        Assert.Equal(LayoutKind.TwoPlusTwentyOne, View(layout, "H1").Kind);
        Assert.Equal(LayoutKind.OnePlusZero, View(layout, "G1").Kind);
    }

    [Fact]
    public void A_spotlighted_guest_is_in_main_for_hosts_only_L7153_AT44()
    {
        ConferenceLayout layout = Auditorium(hosts: 2, guests: 3);
        layout.SetSpotlight("G2", true);
        Assert.Equal(["G2"], View(layout, "H1").Main);
        Assert.DoesNotContain("G2", View(layout, "G1").Visible);
    }

    [Fact]
    public void Lock_presenter_puts_the_presenter_in_main_and_the_speaker_in_the_first_thumbnail_L7231_AT43()
    {
        ConferenceLayout layout = Auditorium(hosts: 3, guests: 1, lockPresenter: true);
        layout.SetPresenter("H1");
        Speak(layout, "H2"); // H2 talks while H1 presents
        LayoutView guest = View(layout, "G1");
        Assert.Equal(["H1"], guest.Main);
        Assert.Equal("H2", guest.Thumbnails[0]); // what would have been main moves to the first thumbnail

        layout.ChangeSettings(ConferenceLayoutSettings.Auditorium(LayoutKind.TwoPlusTwentyOne, LayoutKind.TwoPlusTwentyOne, lockPresenter: true));
        Assert.Equal(["H1", "H2"], View(layout, "G1").Main); // 2+21: into the top right view

        layout.SetPresenter(null);
        Assert.Equal(["H2", "H1"], View(layout, "G1").Main); // no presentation: voice switched again
    }

    [Fact]
    public void A_spotlighted_participant_goes_ahead_of_the_presenter_L7155()
    {
        ConferenceLayout layout = Auditorium(hosts: 3, guests: 1, lockPresenter: true);
        layout.SetPresenter("H1");
        layout.SetSpotlight("H3", true);
        Assert.Equal(["H3"], View(layout, "G1").Main);
        Assert.Equal("H1", View(layout, "G1").Thumbnails[0]);
    }

    [Fact]
    public void Lock_presenter_does_nothing_in_a_meeting_room_L5506()
    {
        var layout = new ConferenceLayout(ConferenceLayoutSettings.MeetingRoom() with { LockPresenterAsMainSpeaker = true });
        layout.AddOrUpdate(new LayoutParticipant("P1"));
        layout.AddOrUpdate(new LayoutParticipant("P2"));
        layout.AddOrUpdate(new LayoutParticipant("P3"));
        layout.SetPresenter("P2");
        Speak(layout, "P3");
        Assert.Equal(["P3"], View(layout, "P1").Main);
    }
}
