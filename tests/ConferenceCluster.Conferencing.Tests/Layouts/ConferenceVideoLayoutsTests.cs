using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Layouts;

namespace ConferenceCluster.Conferencing.Tests.Layouts;

/// <summary>
/// What a conference grain hands its media nodes of its video (<see cref="ConferenceVideoLayouts"/>): a numbered state
/// per real change, to every hosting node; the current state to a node that starts hosting; null to one that stops.
/// </summary>
public class ConferenceVideoLayoutsTests
{
    private sealed class Recorder : IVideoLayoutWiring
    {
        public List<(ConferenceVideoState? State, string Nodes)> Calls { get; } = [];

        public Task ApplyAsync(string conference, ConferenceVideoState? state, IReadOnlyCollection<string> nodes)
        {
            Calls.Add((state, string.Join(",", nodes.Order())));
            return Task.CompletedTask;
        }
    }

    private static readonly LayoutParticipant P1 = new("p1"), P2 = new("p2", LayoutRole.Guest, SendsVideo: false, ReceivesVideo: false);

    [Fact]
    public async Task Only_a_change_is_numbered_and_sent_and_nodes_that_join_or_leave_are_told_what_they_need()
    {
        var wiring = new Recorder();
        var layouts = new ConferenceVideoLayouts(wiring, epoch: 1000);

        await layouts.FollowAsync("c", ["A1"], MaximumCallQuality.Hd, LayoutKind.OnePlusSeven, [P1]);
        Assert.Equal((1L, "A1"), (wiring.Calls[^1].State!.Version, wiring.Calls[^1].Nodes));

        await layouts.FollowAsync("c", ["A1"], MaximumCallQuality.Hd, LayoutKind.OnePlusSeven, [P1]); // nothing changed
        Assert.Single(wiring.Calls);

        await layouts.FollowAsync("c", ["A1", "B1"], MaximumCallQuality.Hd, LayoutKind.OnePlusSeven, [P1]); // B1 starts hosting: the same state
        Assert.Equal((1L, "B1"), (wiring.Calls[^1].State!.Version, wiring.Calls[^1].Nodes));

        await layouts.FollowAsync("c", ["A1", "B1"], MaximumCallQuality.Hd, LayoutKind.OnePlusSeven, [P1, P2]);
        Assert.Equal((2L, "A1,B1"), (wiring.Calls[^1].State!.Version, wiring.Calls[^1].Nodes));
        Assert.Equal([P1, P2], wiring.Calls[^1].State!.Roster);

        await layouts.FollowAsync("c", ["A1"], MaximumCallQuality.Hd, LayoutKind.OnePlusZero, [P1]); // B1 stops; the rest changes
        Assert.Equal((null, "B1"), (wiring.Calls[^2].State, wiring.Calls[^2].Nodes));
        Assert.Equal((3L, LayoutKind.OnePlusZero, "A1"), (wiring.Calls[^1].State!.Version, wiring.Calls[^1].State!.Layout, wiring.Calls[^1].Nodes));

        await layouts.FollowAsync("c", ["A1"], MaximumCallQuality.Hd, null, [P1]); // no video any more: every node forgets it
        Assert.Equal((null, "A1"), (wiring.Calls[^1].State, wiring.Calls[^1].Nodes));
        Assert.Null(layouts.Current);
    }

    [Fact]
    public void A_later_activation_wins_over_an_earlier_one_and_a_newer_version_over_an_older()
    {
        ConferenceVideoState State(long epoch, long version) => new(epoch, version, MaximumCallQuality.Hd, LayoutKind.OnePlusSeven, [P1]);

        Assert.True(State(1, 2).IsNewerThan(State(1, 1)));
        Assert.False(State(1, 1).IsNewerThan(State(1, 1)));
        Assert.False(State(1, 1).IsNewerThan(State(1, 2)));
        Assert.True(State(2, 1).IsNewerThan(State(1, 9)));
        Assert.False(State(1, 9).IsNewerThan(State(2, 1)));
        Assert.True(State(1, 1).IsNewerThan(null));
    }
}
