using ConferenceCluster.Conferencing.Layouts;
using static ConferenceCluster.Conferencing.Tests.Layouts.LayoutTestKit;

namespace ConferenceCluster.Conferencing.Tests.Layouts;

/// <summary>Virtual Meeting Room layouts, seed L7165–7180 (and the features common to all layouts, L7093–7122).</summary>
public sealed class MeetingRoomLayoutTests
{
    [Fact]
    public void One_plus_seven_is_the_default_view_L5535()
    {
        Assert.Equal(LayoutKind.OnePlusSeven, LayoutKinds.Default);
        Assert.Equal(LayoutKind.OnePlusSeven, new ConferenceLayoutSettings().HostLayout);
        Assert.Equal(LayoutKind.OnePlusSeven, new ConferenceLayoutSettings().GuestLayout);
    }

    [Fact]
    public void One_plus_seven_with_ten_participants_shows_the_speaker_six_thumbnails_and_plus_three_L7178_L7113()
    {
        ConferenceLayout layout = MeetingRoom(LayoutKind.OnePlusSeven, 10);
        Speak(layout, "P9", "P8", "P7", "P6", "P5", "P4", "P3", "P2", "P1");

        LayoutView x = View(layout, "P10"); // not speaking, and not among the recent speakers
        Assert.Equal(["P1"], x.Main);
        Assert.Equal(["P2", "P3", "P4", "P5", "P6", "P7"], x.Thumbnails);
        Assert.Equal(3, x.OverflowCount); // P8, P9 and P10 itself: everyone outside the top seven shares this picture
        Assert.Equal(x, View(layout, "P8"));

        LayoutView speaker = View(layout, "P1"); // the speaker sees the previous one, and itself where that one was
        Assert.Equal(["P2"], speaker.Main);
        Assert.Equal(["P1", "P3", "P4", "P5", "P6", "P7"], speaker.Thumbnails);
        Assert.Equal(3, speaker.OverflowCount);
        Assert.Equal(2, layout.Plan().Count(p => p.View.Main[0] is "P1" or "P2")); // and P2..P7 see the everyone picture too
        AssertNobodyTwiceAndNotSelf(layout);
    }

    [Fact]
    public void Without_self_view_ten_participants_give_the_extracts_plus_two_L7178_L7113_AT37()
    {
        ConferenceLayout layout = MeetingRoom(LayoutKind.OnePlusSeven, 10, showSelfInThumbnails: false);
        Speak(layout, "P9", "P8", "P7", "P6", "P5", "P4", "P3", "P2", "P1"); // P1 speaks now, P2 before, …

        LayoutView x = View(layout, "P10"); // not speaking
        Assert.Equal(["P1"], x.Main);
        Assert.Equal(["P2", "P3", "P4", "P5", "P6", "P7"], x.Thumbnails); // most recent first, left to right
        Assert.Equal(2, x.OverflowCount); // 9 others = 1 main + 6 thumbnails + 2 not shown
        Assert.NotEqual(x, View(layout, "P3")); // strictly no self-view: each visible viewer has a picture of its own
        LayoutTile overflow = Assert.Single(x.Tiles, t => t.Content == LayoutTileContent.Overflow);
        Assert.Equal(LayoutGeometry.Thumbnail(LayoutKind.OnePlusSeven, 6), overflow.Rect); // the far right thumbnail

        LayoutView speaker = View(layout, "P1"); // the current speaker sees the previous one
        Assert.Equal(["P2"], speaker.Main);
        Assert.Equal(["P3", "P4", "P5", "P6", "P7", "P8"], speaker.Thumbnails);
        Assert.Equal(2, speaker.OverflowCount); // P9 and P10
        AssertNobodyTwiceAndNotSelf(layout);
    }

    [Fact]
    public void One_plus_seven_makes_two_pictures_everyones_and_the_current_speakers_L7178()
    {
        ConferenceLayout layout = MeetingRoom(LayoutKind.OnePlusSeven, 6);
        Speak(layout, "P4", "P2");
        IReadOnlyList<LayoutPicture> pictures = layout.Plan();
        Assert.Equal(2, pictures.Count);
        Assert.Equal(["P1", "P3", "P4", "P5", "P6"], pictures[0].Viewers);
        Assert.Equal(["P2"], pictures[0].View.Main);
        Assert.Equal(["P4", "P1", "P3", "P5", "P6"], pictures[0].View.Thumbnails);
        Assert.Equal(["P2"], pictures[1].Viewers);
        Assert.Equal(["P4"], pictures[1].View.Main);
        Assert.Equal(["P2", "P1", "P3", "P5", "P6"], pictures[1].View.Thumbnails); // main and first thumbnail swapped
        Assert.Equal(6, new ConferenceLayout(layout.Settings with { ShowSelfInThumbnails = false }) is var strict && Populate(strict, layout) ? strict.Plan().Count : 0);
    }

    [Fact]
    public void Participants_are_ordered_by_who_spoke_most_recently_whatever_their_role_L5503()
    {
        var layout = new ConferenceLayout(ConferenceLayoutSettings.MeetingRoom());
        layout.AddOrUpdate(new LayoutParticipant("H1", LayoutRole.Host));
        layout.AddOrUpdate(new LayoutParticipant("G1", LayoutRole.Guest));
        layout.AddOrUpdate(new LayoutParticipant("G2", LayoutRole.Guest));
        layout.AddOrUpdate(new LayoutParticipant("H2", LayoutRole.Host));
        Speak(layout, "H1", "G2", "H2", "G1");
        Assert.Equal(["G1"], View(layout, "H1").Main);
        Assert.Equal(["H2", "G2", "H1"], View(layout, "H1").Thumbnails);
        Assert.Equal(["H2"], View(layout, "G1").Main); // a Guest sees Guests too, and sees the previous speaker
    }

    [Fact]
    public void One_plus_zero_shows_the_current_speaker_full_screen_and_counts_the_others_L7174_AT38()
    {
        ConferenceLayout layout = MeetingRoom(LayoutKind.OnePlusZero, 5);
        Speak(layout, "P3", "P2");
        LayoutView view = View(layout, "P1");
        Assert.Equal(["P2"], view.Main);
        Assert.Empty(view.Thumbnails);
        Assert.Equal(LayoutGeometry.FullScreen, view.Tiles[0].Rect);
        Assert.Equal(3, view.OthersCount); // P3, P4, P5 not shown
        Assert.Contains(view.Tiles, t => t.Content == LayoutTileContent.OthersCount && t.Count == 3 && t.Rect == LayoutGeometry.OthersCountIcon);
        Assert.Equal(["P3"], View(layout, "P2").Main); // the current speaker sees the previous speaker
        AssertNobodyTwiceAndNotSelf(layout);
    }

    [Fact]
    public void Four_plus_zero_shows_the_speaker_and_three_recent_ones_and_the_speaker_the_four_most_recent_L7175()
    {
        ConferenceLayout layout = MeetingRoom(LayoutKind.FourPlusZero, 7);
        Speak(layout, "P6", "P5", "P4", "P3", "P2");
        Assert.Equal(["P2", "P3", "P4", "P5"], View(layout, "P1").Main);
        Assert.Equal(2, View(layout, "P1").OthersCount);
        Assert.Equal(["P3", "P4", "P5", "P6"], View(layout, "P2").Main);
        AssertNobodyTwiceAndNotSelf(layout);
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 3)]
    [InlineData(5, 4)]
    public void Four_plus_zero_with_fewer_others_full_screen_side_by_side_one_over_two_then_2x2_L7175_AT38(int participants, int others)
    {
        LayoutView view = View(MeetingRoom(LayoutKind.FourPlusZero, participants), "P1");
        LayoutRect[] rects = view.Tiles.Where(t => t.Content == LayoutTileContent.Participant).Select(t => t.Rect).ToArray();
        Assert.Equal(others, rects.Length);
        switch (others)
        {
            case 1:
                Assert.Equal(LayoutGeometry.FullScreen, rects[0]);
                break;
            case 2: // side by side, same row
                Assert.Equal(rects[0].Y, rects[1].Y);
                Assert.True(rects[0].Right <= rects[1].X + 1e-9);
                break;
            case 3: // one in the middle of the top row, two side by side below
                Assert.Equal(0.5, rects[0].X + rects[0].Width / 2, 6);
                Assert.True(rects[1].Y >= rects[0].Bottom - 1e-9 && rects[1].Y == rects[2].Y);
                break;
            default: // 2 x 2
                Assert.Equal(2, rects.Select(r => r.X).Distinct().Count());
                Assert.Equal(2, rects.Select(r => r.Y).Distinct().Count());
                break;
        }
    }

    [Fact]
    public void One_plus_twenty_one_has_a_smaller_main_speaker_and_three_rows_of_seven_L7179()
    {
        ConferenceLayout layout = MeetingRoom(LayoutKind.OnePlusTwentyOne, 25);
        LayoutView view = View(layout, "P25");
        Assert.Equal(["P1"], view.Main);
        Assert.Equal(20, view.Thumbnails.Count);
        Assert.Equal(4, view.OverflowCount); // 25 = 1 + 20 + "+4" (the viewer itself among the four)
        Assert.Equal(3, View(MeetingRoom(LayoutKind.OnePlusTwentyOne, 25, showSelfInThumbnails: false), "P25").OverflowCount);
        LayoutRect[] thumbnails = view.Tiles.Where(t => t.Content is LayoutTileContent.Participant or LayoutTileContent.Overflow && !t.IsMain).Select(t => t.Rect).ToArray();
        Assert.Equal(3, thumbnails.Select(r => r.Y).Distinct().Count());
        Assert.Equal(7, thumbnails.Select(r => r.X).Distinct().Count());
        LayoutRect small = view.Tiles[0].Rect, large = View(MeetingRoom(LayoutKind.OnePlusSeven, 3), "P3").Tiles[0].Rect;
        Assert.True(small.Width < large.Width, "the 1+21 main speaker is smaller than the 1+7 one");
        Assert.True(thumbnails.All(t => t.Y >= small.Bottom - 1e-9), "thumbnails are below the main speaker");
        AssertNobodyTwiceAndNotSelf(layout);
    }

    [Fact]
    public void Two_plus_twenty_one_puts_the_main_speaker_and_the_most_recent_side_by_side_on_top_L7180()
    {
        ConferenceLayout layout = MeetingRoom(LayoutKind.TwoPlusTwentyOne, 6);
        Speak(layout, "P4", "P3", "P2");
        LayoutView view = View(layout, "P1");
        Assert.Equal(["P2", "P3"], view.Main);
        Assert.Equal(["P4", "P1", "P5", "P6"], view.Thumbnails);
        Assert.Equal(["P3", "P4"], View(layout, "P2").Main); // P2 is not in its own top row
        LayoutTile[] main = view.Tiles.Where(t => t.IsMain).ToArray();
        Assert.Equal(main[0].Rect.Y, main[1].Rect.Y);
        Assert.True(main[0].Rect.Right <= main[1].Rect.X + 1e-9);
        AssertNobodyTwiceAndNotSelf(layout);
    }

    [Fact]
    public void Audio_only_participants_are_indicators_not_tiles_one_each_up_to_four_then_one_aggregate_L7097_L7105_AT39()
    {
        var layout = MeetingRoom(LayoutKind.OnePlusSeven, 2);
        for (int i = 1; i <= 3; i++)
        {
            layout.AddOrUpdate(new LayoutParticipant($"A{i}", SendsVideo: false, ReceivesVideo: false));
        }

        LayoutView three = View(layout, "P1");
        Assert.Equal(3, three.Tiles.Count(t => t.Content == LayoutTileContent.AudioOnlyIndicator));
        Assert.DoesNotContain(three.Visible, id => id.StartsWith('A'));
        Assert.Null(layout.ViewFor("A1")); // receives no video: no picture at all

        layout.AddOrUpdate(new LayoutParticipant("A4", SendsVideo: false, ReceivesVideo: false));
        layout.AddOrUpdate(new LayoutParticipant("A5", SendsVideo: false, ReceivesVideo: false));
        LayoutView five = View(layout, "P1");
        Assert.DoesNotContain(five.Tiles, t => t.Content == LayoutTileContent.AudioOnlyIndicator);
        Assert.Equal(5, Assert.Single(five.Tiles, t => t.Content == LayoutTileContent.AudioOnlyAggregate).Count);
    }

    [Fact]
    public void A_participant_receiving_but_not_sending_video_keeps_a_tile_L7111()
    {
        var layout = MeetingRoom(LayoutKind.OnePlusSeven, 2);
        layout.AddOrUpdate(new LayoutParticipant("NoCamera", SendsVideo: false, ReceivesVideo: true));
        Assert.Contains("NoCamera", View(layout, "P1").Visible);
        Assert.NotNull(layout.ViewFor("NoCamera"));
    }

    [Fact]
    public void The_only_video_sender_sees_the_holding_screen_until_another_joins_L7114_AT23()
    {
        var layout = MeetingRoom(LayoutKind.OnePlusSeven, 1);
        layout.AddOrUpdate(new LayoutParticipant("Phone", SendsVideo: false, ReceivesVideo: false));
        LayoutView alone = View(layout, "P1");
        Assert.True(alone.HoldingScreen);
        Assert.Contains(alone.Tiles, t => t.Content == LayoutTileContent.HoldingScreen);
        Assert.Equal(1, alone.AudioOnlyCount); // all the others are audio-only: shown by their indicators

        layout.AddOrUpdate(new LayoutParticipant("P2"));
        Assert.False(View(layout, "P1").HoldingScreen);
        Assert.Equal(["P2"], View(layout, "P1").Main);
    }

    [Fact]
    public void Spotlighted_participants_hold_the_primary_positions_ahead_of_the_current_speaker_L7151_AT44()
    {
        ConferenceLayout layout = MeetingRoom(LayoutKind.OnePlusSeven, 6);
        layout.SetSpotlight("P3", true);
        layout.SetSpotlight("P5", true);
        Speak(layout, "P2", "P1"); // P1 is talking
        LayoutView view = View(layout, "P6");
        Assert.Equal(["P3"], view.Main);
        Assert.Equal(["P5", "P1", "P2", "P4", "P6"], view.Thumbnails); // then by recent voice activity
        Assert.Equal(["P5"], View(layout, "P3").Main); // P3 does not see itself: the next spotlight takes main

        layout.SetSpotlight("P3", false);
        Assert.Equal(["P5"], View(layout, "P6").Main);
        AssertNobodyTwiceAndNotSelf(layout);
    }

    [Fact]
    public void A_host_changes_everyones_layout_in_a_meeting_room_L7089()
    {
        ConferenceLayout layout = MeetingRoom(LayoutKind.OnePlusSeven, 3);
        long before = layout.Version;
        layout.ChangeLayout(LayoutKind.FourPlusZero);
        Assert.True(layout.Version > before);
        Assert.All(layout.Participants, p => Assert.Equal(LayoutKind.FourPlusZero, View(layout, p.Id).Kind));
        Assert.True(LayoutKinds.TryParse("2:21", out LayoutKind parsed) && parsed == LayoutKind.TwoPlusTwentyOne);
        Assert.True(LayoutKinds.TryParse("1 + 7", out parsed) && parsed == LayoutKind.OnePlusSeven);
        Assert.False(LayoutKinds.TryParse("3:3", out _));
    }

    [Fact]
    public void Nobody_appears_twice_or_in_their_own_picture_in_any_layout_over_random_conferences()
    {
        const int Seed = 7165;
        var random = new Random(Seed);
        foreach (LayoutKind kind in Enum.GetValues<LayoutKind>())
        {
            for (int round = 0; round < 40; round++)
            {
                var layout = new ConferenceLayout(random.Next(2) == 0
                    ? ConferenceLayoutSettings.MeetingRoom(kind)
                    : ConferenceLayoutSettings.Auditorium(kind, (LayoutKind)random.Next(5), lockPresenter: random.Next(2) == 0));
                int count = random.Next(1, 30);
                for (int i = 0; i < count; i++)
                {
                    int media = random.Next(10);
                    layout.AddOrUpdate(new LayoutParticipant($"P{i}", random.Next(3) == 0 ? LayoutRole.Guest : LayoutRole.Host, SendsVideo: media > 1, ReceivesVideo: media > 0));
                }

                for (int turn = 0; turn < 20; turn++)
                {
                    layout.Voice.TakeFloor($"P{random.Next(count)}");
                }

                layout.SetSpotlight($"P{random.Next(count)}", true);
                layout.SetPresenter($"P{random.Next(count)}");
                AssertNobodyTwiceAndNotSelf(layout);
                foreach (LayoutPicture picture in layout.Plan())
                {
                    LayoutRect[] tiles = picture.View.Tiles.Where(t => t.Content is LayoutTileContent.Participant or LayoutTileContent.Overflow).Select(t => t.Rect).ToArray();
                    Assert.All(tiles, r => Assert.True(r.X >= 0 && r.Y >= 0 && r.Right <= 1 + 1e-9 && r.Bottom <= 1 + 1e-9, $"{r} leaves the picture (seed {Seed})"));
                    for (int a = 0; a < tiles.Length; a++)
                        for (int b = a + 1; b < tiles.Length; b++)
                            Assert.False(tiles[a].Overlaps(tiles[b]), $"{kind}: {tiles[a]} overlaps {tiles[b]} (seed {Seed})");
                }
            }
        }
    }

    /// <summary>Copies the roster and speaking order of <paramref name="from"/> into <paramref name="to"/>.</summary>
    private static bool Populate(ConferenceLayout to, ConferenceLayout from)
    {
        foreach (LayoutParticipant participant in from.Participants)
        {
            to.AddOrUpdate(participant);
        }

        foreach (string speaker in from.Voice.Recency.Reverse())
        {
            to.Voice.TakeFloor(speaker);
        }

        return true;
    }
}
