using ConferenceCluster.Conferencing.Layouts;

namespace ConferenceCluster.Conferencing.Tests.Layouts;

/// <summary>Builds conferences for the layout tests: participants P1…Pn, speaking turns, views.</summary>
internal static class LayoutTestKit
{
    public static ConferenceLayout MeetingRoom(LayoutKind kind, int participants, bool showSelfInThumbnails = true)
    {
        var layout = new ConferenceLayout(ConferenceLayoutSettings.MeetingRoom(kind) with { ShowSelfInThumbnails = showSelfInThumbnails });
        for (int i = 1; i <= participants; i++)
        {
            layout.AddOrUpdate(new LayoutParticipant($"P{i}"));
        }

        return layout;
    }

    /// <summary>Speaking turns in this order; the last one is the current speaker.</summary>
    public static void Speak(ConferenceLayout layout, params string[] speakers)
    {
        foreach (string speaker in speakers)
        {
            layout.Voice.TakeFloor(speaker);
        }
    }

    public static LayoutView View(ConferenceLayout layout, string viewer) =>
        layout.ViewFor(viewer) ?? throw new InvalidOperationException($"{viewer} has no view");

    public static void AssertNobodyTwiceAndNotSelf(ConferenceLayout layout)
    {
        foreach (LayoutParticipant viewer in layout.Participants)
        {
            if (layout.ViewFor(viewer.Id) is not { } view)
            {
                continue;
            }

            string[] shown = view.Tiles.Where(t => t.Content == LayoutTileContent.Participant).Select(t => t.ParticipantId!).ToArray();
            Assert.Equal(shown.Length, shown.Distinct().Count()); // nobody twice
            Assert.DoesNotContain(viewer.Id, view.Main); // nobody sees themselves as a main speaker
            if (!layout.Settings.ShowSelfInThumbnails || view.Kind.Thumbnails() == 0)
            {
                Assert.DoesNotContain(viewer.Id, shown);
            }

            Assert.Equal(view.Visible, shown);
        }
    }
}
