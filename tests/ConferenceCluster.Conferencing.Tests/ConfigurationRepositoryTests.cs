using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Tests.Grains;
using ConferenceCluster.Storage.Documents;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConferenceCluster.Conferencing.Tests;

/// <summary>The configuration repository over the cluster document store: versions, validation, alias uniqueness, self-registration.</summary>
public class ConfigurationRepositoryTests
{
    private readonly InMemoryDocumentStore _store = new();
    private ConfigurationRepository Repository => new(_store);

    private static ConferencingNode Tcn(string name, string location, int hd = 10) => new(name, location, NodeRole.Transcoding, CapacityUnits.FromHdCalls(hd));

    [Fact]
    public async Task Updates_and_deletes_quote_the_version_they_read_and_a_stale_one_conflicts()
    {
        var created = await Repository.CreateLocationAsync(new SystemLocation("USA"));
        Assert.Equal((ConfigurationWriteStatus.Ok, 1L), (created.Status, created.Saved!.Version));
        Assert.Equal(ConfigurationWriteStatus.AlreadyExists, (await Repository.CreateLocationAsync(new SystemLocation("USA"))).Status);

        var updated = await Repository.UpdateLocationAsync(new SystemLocation("USA") { Description = "east" }, expectedVersion: 1);
        Assert.Equal((ConfigurationWriteStatus.Ok, 2L), (updated.Status, updated.Saved!.Version));
        Assert.Equal(ConfigurationWriteStatus.Conflict, (await Repository.UpdateLocationAsync(new SystemLocation("USA") { Description = "west" }, 1)).Status);
        Assert.Equal("east", (await Repository.GetLocationAsync("USA"))!.Value.Description);

        Assert.Equal(ConfigurationWriteStatus.Conflict, (await Repository.DeleteLocationAsync("USA", expectedVersion: 1)).Status);
        Assert.Equal(ConfigurationWriteStatus.Ok, (await Repository.DeleteLocationAsync("USA", expectedVersion: 2)).Status);
        Assert.Null(await Repository.GetLocationAsync("USA"));
        Assert.Equal(ConfigurationWriteStatus.NotFound, (await Repository.UpdateLocationAsync(new SystemLocation("USA"), 2)).Status);
    }

    [Fact]
    public async Task Changes_are_validated_as_the_platform_they_would_produce_errors_refuse_warnings_are_reported()
    {
        // A node in a location that does not exist, and a location overflowing to one that does not exist (L4581, L3370).
        var orphan = await Repository.CreateNodeAsync(Tcn("n1", "Nowhere"));
        Assert.Equal(ConfigurationWriteStatus.Invalid, orphan.Status);
        Assert.Contains(orphan.Report.Errors, e => e.Field == "system_location");
        var dangling = await Repository.CreateLocationAsync(new SystemLocation("USA") { PrimaryOverflowLocation = "Mexico" });
        Assert.Contains(dangling.Report.Errors, e => e.Field == "overflow_location1");

        Assert.True((await Repository.CreateLocationAsync(new SystemLocation("USA"))).Succeeded);
        Assert.True((await Repository.CreateNodeAsync(Tcn("n1", "USA"))).Succeeded);
        // R9 (mixed roles) is a warning: saved, and reported (docs/decisions.md).
        var mixed = await Repository.CreateNodeAsync(new ConferencingNode("p1", "USA", NodeRole.Proxying, CapacityUnits.FromAudioCalls(100)));
        Assert.True(mixed.Succeeded);
        Assert.Contains(mixed.Report.Warnings, w => w.Rule == "R9");
        // An entity's own errors refuse it (negative capacity, R60).
        Assert.Equal(ConfigurationWriteStatus.Invalid, (await Repository.CreateNodeAsync(Tcn("n2", "USA", -1))).Status);
        // A location still in use cannot go.
        Assert.Equal(ConfigurationWriteStatus.Invalid, (await Repository.DeleteLocationAsync("USA")).Status);
        // Global settings are validated too (L3229).
        Assert.Equal(ConfigurationWriteStatus.Invalid, (await Repository.UpdateGlobalSettingsAsync(new GlobalSettings { BurstingThresholdHdCalls = -1 }, 0)).Status);
    }

    [Fact]
    public async Task An_existing_error_does_not_block_unrelated_changes_only_new_errors_refuse()
    {
        // A self-registered node names a location nobody has created yet: the platform already has that error.
        await Repository.RegisterSelfAsync(Tcn("silo1", "Unconfigured"));
        Assert.True((await Repository.CreateLocationAsync(new SystemLocation("USA"))).Succeeded);
        Assert.True((await Repository.CreateLocationAsync(new SystemLocation("Unconfigured"))).Succeeded);
    }

    [Fact]
    public async Task Aliases_are_unique_across_rooms_case_insensitively_and_freed_when_a_room_drops_them_L6788()
    {
        var alice = new VirtualMeetingRoom("alice") { Aliases = [new("meet.alice@example.com"), new("1001")] };
        Assert.True((await Repository.CreateConferenceAsync(alice)).Succeeded);
        Assert.Equal("alice", await Repository.ResolveAliasAsync("MEET.Alice@example.com"));

        var thief = await Repository.CreateConferenceAsync(new VirtualMeetingRoom("bob") { Aliases = [new("Meet.Alice@Example.com")] });
        Assert.Equal(ConfigurationWriteStatus.Invalid, thief.Status);
        Assert.Contains(thief.Report.Errors, e => e.Rule == "R-ALIAS-1" && e.Message.Contains("alice"));
        Assert.Null(await Repository.GetConferenceAsync("bob"));

        // Alice drops the alias; now Bob may have it. Deleting a room frees all its aliases.
        var current = await Repository.GetConferenceAsync("alice");
        Assert.True((await Repository.UpdateConferenceAsync(alice with { Aliases = [new("1001")] }, current!.Version)).Succeeded);
        Assert.True((await Repository.CreateConferenceAsync(new VirtualMeetingRoom("bob") { Aliases = [new("meet.alice@example.com")] })).Succeeded);
        Assert.Equal("bob", await Repository.ResolveAliasAsync("meet.alice@example.com"));
        Assert.True((await Repository.DeleteConferenceAsync("alice")).Succeeded);
        Assert.Null(await Repository.ResolveAliasAsync("1001"));
        Assert.True((await Repository.CreateConferenceAsync(new VirtualMeetingRoom("carol") { Aliases = [new("1001")] })).Succeeded);

        // The room round-trips through the store with its settings.
        var stored = (await Repository.GetConferenceAsync("bob"))!.Value;
        Assert.Equal("meet.alice@example.com", Assert.Single(stored.Aliases).Alias);
    }

    [Fact]
    public async Task Concurrent_rooms_racing_for_one_alias_exactly_one_wins()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            Repository.CreateConferenceAsync(new VirtualMeetingRoom($"room{i}") { Aliases = [new("meet.popular@example.com")] }))));
        var winner = Assert.Single(results, r => r.Succeeded);
        Assert.Equal(winner.Saved!.Value.Name, await Repository.ResolveAliasAsync("meet.popular@example.com"));
        Assert.Single(await Repository.ListConferencesAsync());
    }

    [Fact]
    public async Task An_alias_claimed_by_a_writer_that_crashed_before_writing_its_room_is_taken_over_after_the_grace()
    {
        var time = new ManualTime(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var repository = new ConfigurationRepository(_store, time);
        await _store.TryInsertAsync(ConfigurationCollections.ConferenceAliases, "meet.ghost@example.com",
            ConfigurationCollections.Serialize(new AliasRecord("meet.ghost@example.com", "ghost", time.Now)));
        var room = new VirtualMeetingRoom("real") { Aliases = [new("meet.ghost@example.com")] };

        // Within the grace the claim may belong to a create still in progress: refused, not stolen.
        time.Now += TimeSpan.FromSeconds(30);
        Assert.Equal(ConfigurationWriteStatus.Invalid, (await repository.CreateConferenceAsync(room)).Status);
        Assert.Null(await repository.ResolveAliasAsync("meet.ghost@example.com"));

        time.Now += ConfigurationRepository.AliasClaimGrace;
        Assert.True((await repository.CreateConferenceAsync(room)).Succeeded);
        Assert.Equal("real", await repository.ResolveAliasAsync("meet.ghost@example.com"));
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task A_silo_registers_itself_and_updates_its_record_until_an_operator_owns_it()
    {
        var first = await Repository.RegisterSelfAsync(Tcn("silo1", "USA", hd: 10));
        Assert.Equal(NodeOrigin.SelfRegistered, first.Origin);
        await Repository.RegisterSelfAsync(Tcn("silo1", "USA", hd: 20));
        Assert.Equal(CapacityUnits.FromHdCalls(20), (await Repository.GetNodeAsync("silo1"))!.Value.Node.MediaCapacity);

        await Repository.CreateLocationAsync(new SystemLocation("USA"));
        var record = await Repository.GetNodeAsync("silo1");
        Assert.True((await Repository.UpdateNodeAsync(record!.Value.Node with { MaintenanceMode = true }, record.Version)).Succeeded);
        var after = await Repository.RegisterSelfAsync(Tcn("silo1", "USA", hd: 30));
        Assert.Equal((NodeOrigin.Operator, true, CapacityUnits.FromHdCalls(20)), (after.Origin, after.Node.MaintenanceMode, after.Node.MediaCapacity));
    }

    [Fact]
    public async Task Global_settings_default_until_saved_then_versioned()
    {
        var initial = await Repository.GetGlobalSettingsAsync();
        Assert.Equal((GlobalSettings.Default, 0L), (initial.Value, initial.Version));
        var saved = await Repository.UpdateGlobalSettingsAsync(initial.Value with { BurstingThresholdHdCalls = 7 }, 0);
        Assert.Equal(1L, saved.Saved!.Version);
        Assert.Equal(ConfigurationWriteStatus.Conflict, (await Repository.UpdateGlobalSettingsAsync(initial.Value, 0)).Status);
        Assert.Equal(7, (await Repository.GetGlobalSettingsAsync()).Value.BurstingThresholdHdCalls);
    }

    [Fact]
    public async Task Every_view_on_the_store_picks_up_a_change_by_polling_the_change_counter()
    {
        var options = new ConferencingOptions { ConfigurationPollInterval = TimeSpan.FromMilliseconds(50) };
        await using var view1 = new ConfigurationView(_store, options, TimeProvider.System, NullLogger<ConfigurationView>.Instance);
        await using var view2 = new ConfigurationView(_store, options, TimeProvider.System, NullLogger<ConfigurationView>.Instance);
        await view1.StartAsync();
        await view2.StartAsync();
        Assert.Empty(view1.Current.Locations);

        await Repository.CreateLocationAsync(new SystemLocation("USA"));
        await Repository.CreateConferenceAsync(new VirtualMeetingRoom("alice") { Aliases = [new("meet.alice@example.com")] });
        await ConferencingTestCluster.WaitUntilAsync(() => view1.Current.Conferences.ContainsKey("alice") && view2.Current.Conferences.ContainsKey("alice"),
            TimeSpan.FromSeconds(30), "both views to see the change");
        Assert.Equal("alice", view2.Current.FindConferenceByAlias("MEET.ALICE@example.com")!.Name);
        Assert.Contains("USA", view1.Current.Locations.Keys);
    }
}
