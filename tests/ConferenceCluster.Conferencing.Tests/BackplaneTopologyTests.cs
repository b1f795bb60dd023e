using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Conferencing.Capacity;

namespace ConferenceCluster.Conferencing.Tests;

/// <summary>Backplanes from the set of media nodes (R34–R40), intermediary election and the create/remove diff.</summary>
public class BackplaneTopologyTests
{
    private static Backplane Local(string a, string b) => Backplane.Between(a, b, BackplaneKind.Local);
    private static Backplane Geo(string a, string b) => Backplane.Between(a, b, BackplaneKind.Geo);

    [Fact]
    public void One_media_node_needs_no_backplane_but_is_its_location_intermediary()
    {
        var topology = BackplaneTopology.For([new MediaHost("a1", "A", 0)]);
        Assert.Empty(topology.Backplanes);
        Assert.Equal("a1", topology.Intermediaries["A"]);
    }

    [Fact]
    public void Local_backplanes_form_a_star_on_the_oldest_media_node_and_geo_backplanes_join_intermediaries_L2168_L2226()
    {
        var topology = BackplaneTopology.For([
            new MediaHost("a3", "A", 0), new MediaHost("a1", "A", 2), new MediaHost("a2", "A", 3),
            new MediaHost("b1", "B", 1), new MediaHost("c1", "C", 4), new MediaHost("c2", "C", 5),
        ]);
        Assert.Equal(new Dictionary<string, string> { ["A"] = "a3", ["B"] = "b1", ["C"] = "c1" }, topology.Intermediaries);
        Assert.Equal(
            [Local("a1", "a3"), Local("a2", "a3"), Local("c1", "c2"), Geo("a3", "b1"), Geo("a3", "c1"), Geo("b1", "c1")],
            topology.Backplanes);
        Assert.Equal(["a1", "a2", "b1", "c1"], topology.NeighboursOf("a3").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Backplanes_are_undirected_and_a_node_cannot_link_to_itself()
    {
        Assert.Equal(Local("x", "y"), Local("y", "x"));
        Assert.Throws<ArgumentException>(() => Local("x", "x"));
    }

    [Fact]
    public void The_intermediary_stays_while_it_hosts_and_the_next_oldest_node_is_elected_when_it_leaves_Q6()
    {
        var cluster = new SimulatedCluster()
            .Location("USA", primary: "Canada").Location("Canada")
            .Transcoding("us1", "USA", 2).Transcoding("us2", "USA", 3).Transcoding("us3", "USA", 4)
            .Transcoding("ca1", "Canada", 10);
        // us3 (most capacity) hosts first; the others join as it fills; then Canada.
        Assert.Equal(["us3", "us3", "us3", "us2", "us2", "us1", "ca1"],
            Enumerable.Range(0, 7).Select(i => cluster.Admit("conf", $"p{i}", "us1").TranscodingNode));
        var before = cluster.Conferences["conf"].Backplanes;
        Assert.Equal("us3", before.Intermediaries["USA"]);
        Assert.Equal([Local("us1", "us3"), Local("us2", "us3"), Geo("ca1", "us3")], before.Backplanes);

        // The first two of us3's three participants leave: it still hosts, nothing changes.
        Assert.True(cluster.Leave("conf", "p0").Backplanes.IsEmpty);
        Assert.True(cluster.Leave("conf", "p1").Backplanes.IsEmpty);

        // Its last participant leaves: us3 stops hosting and us2, the next to have started hosting, takes over.
        var change = cluster.Leave("conf", "p2");
        Assert.Equal(["us3"], change.NodesStoppedHosting);
        Assert.Equal([new IntermediaryChange("USA", "us3", "us2")], change.Backplanes.IntermediaryChanges);
        Assert.Equal([Local("us1", "us2"), Geo("ca1", "us2")], change.Backplanes.ToCreate);
        Assert.Equal([Local("us1", "us3"), Local("us2", "us3"), Geo("ca1", "us3")], change.Backplanes.ToRemove);
        Assert.Equal(CapacityUnits.Zero, cluster.Ledgers["us3"].Load);
    }

    [Fact]
    public void A_non_intermediary_that_stops_hosting_removes_only_its_own_local_backplane()
    {
        var before = BackplaneTopology.For([new MediaHost("a1", "A", 0), new MediaHost("a2", "A", 1), new MediaHost("b1", "B", 2)]);
        var after = BackplaneTopology.For([new MediaHost("a1", "A", 0), new MediaHost("b1", "B", 2)]);
        var diff = BackplaneChanges.Between(before, after);
        Assert.Empty(diff.ToCreate);
        Assert.Equal([Local("a1", "a2")], diff.ToRemove);
        Assert.Empty(diff.IntermediaryChanges);
    }

    [Fact]
    public void A_location_that_leaves_the_conference_takes_its_geo_backplanes_with_it()
    {
        var before = BackplaneTopology.For([new MediaHost("a1", "A", 0), new MediaHost("b1", "B", 1), new MediaHost("c1", "C", 2)]);
        var after = BackplaneTopology.For([new MediaHost("a1", "A", 0), new MediaHost("c1", "C", 2)]);
        var diff = BackplaneChanges.Between(before, after);
        Assert.Empty(diff.ToCreate);
        Assert.Equal([Geo("a1", "b1"), Geo("b1", "c1")], diff.ToRemove);
        Assert.Equal([new IntermediaryChange("B", "b1", null)], diff.IntermediaryChanges);
    }

    [Fact]
    public void Escalation_from_local_to_global_adds_one_geo_backplane_per_existing_intermediary_L2226()
    {
        var before = BackplaneTopology.For([new MediaHost("a1", "A", 0), new MediaHost("a2", "A", 1), new MediaHost("b1", "B", 2)]);
        var after = BackplaneTopology.For([.. new[] { new MediaHost("a1", "A", 0), new MediaHost("a2", "A", 1), new MediaHost("b1", "B", 2) }, new MediaHost("c1", "C", 3)]);
        var diff = BackplaneChanges.Between(before, after);
        Assert.Equal([Geo("a1", "c1"), Geo("b1", "c1")], diff.ToCreate);
        Assert.Empty(diff.ToRemove);
    }
}
