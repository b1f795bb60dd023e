using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Operations.Alarms;
using ConferenceCluster.Conferencing.Operations.Bursting;
using ConferenceCluster.Conferencing.Tests.Services;
using ConferenceCluster.Storage.Documents;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConferenceCluster.Conferencing.Tests.Operations;

/// <summary>
/// The controller between the policy and a provider (a recording fake): tag discovery (S12), provider failures and their
/// alarms (S14), the location alarm (S13), history with reasons (L2126), the manual start (AZ:679), and that only list,
/// start and stop are ever asked of the provider (S19).
/// </summary>
public sealed class BurstingControllerTests
{
    private const string Tag = "mgmt-host";
    private const string Controller = "controller-silo";
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly ManualClock _clock = new();
    private readonly InMemoryDocumentStore _store = new("bursting");
    private readonly FakeProvider _provider = new();
    private readonly AlarmRegistry _alarms;
    private readonly NodeStatusHistory _history;
    private readonly BurstingController _controller;
    private readonly List<SystemLocation> _locations = [new("London") { PrimaryOverflowLocation = "Burst-EU" }, new("Burst-EU")];
    private readonly List<ConferencingNode> _nodes =
    [
        new("London-1", "London", NodeRole.Transcoding, CapacityUnits.FromHdCalls(20)),
        new("A", "Burst-EU", NodeRole.Transcoding, CapacityUnits.FromHdCalls(20)) { IsCloudBurstingNode = true },
        new("B", "Burst-EU", NodeRole.Transcoding, CapacityUnits.FromHdCalls(20)) { IsCloudBurstingNode = true },
    ];
    private readonly Dictionary<string, int> _live = new() { ["London-1"] = 1 };
    private readonly Dictionary<string, LocationLoad> _loads = new() { ["London"] = new("London", 0, true) };

    public BurstingControllerTests()
    {
        _alarms = new AlarmRegistry(_store, _clock, NullLogger<AlarmRegistry>.Instance);
        _history = new NodeStatusHistory(_store, _clock, NullLogger<NodeStatusHistory>.Instance);
        _controller = new BurstingController(_provider, _alarms, _history, new BurstingOptions { TagValue = Tag }, Controller, _clock, NullLogger.Instance);
        _provider.Instances.AddRange([new("i-a", "A", "10.0.0.11", CloudInstanceState.Stopped, Tag), new("i-b", "B", "10.0.0.12", CloudInstanceState.Stopped, Tag)]);
    }

    private sealed class FakeProvider : IOverflowNodeProvider
    {
        public List<CloudInstance> Instances { get; } = [];
        public List<string> Calls { get; } = [];
        public Exception? FailList { get; set; }
        public Exception? FailStart { get; set; }

        public Task<IReadOnlyList<CloudInstance>> ListAsync(CancellationToken cancellationToken)
        {
            Calls.Add("list");
            if (FailList is { } e) throw e;
            return Task.FromResult<IReadOnlyList<CloudInstance>>(Instances.ToList());
        }

        public Task StartAsync(CloudInstance instance, CancellationToken cancellationToken)
        {
            Calls.Add($"start {instance.Id}");
            if (FailStart is { } e) throw e;
            Set(instance.Id, CloudInstanceState.Running);
            return Task.CompletedTask;
        }

        public Task StopAsync(CloudInstance instance, CancellationToken cancellationToken)
        {
            Calls.Add($"stop {instance.Id}");
            Set(instance.Id, CloudInstanceState.Stopped);
            return Task.CompletedTask;
        }

        private void Set(string id, CloudInstanceState state)
        {
            var i = Instances.FindIndex(x => x.Id == id);
            Instances[i] = Instances[i] with { State = state };
        }
    }

    private Task<BurstingStatus> TickAsync() => _controller.TickAsync(new BurstingWorld(
        GlobalSettings.Default with { EnableBurstingToTheCloud = true }, _locations, _nodes, _live, _loads));

    private async Task<IReadOnlyList<ActiveAlarm>> AlarmsAsync(AlarmKind kind) => (await _alarms.ActiveAsync()).Where(a => a.Key == kind.Key).ToList();

    /// <summary>S19 with history (AWS1:596, L2126): a start, its running, its stop "no longer needed"; the provider is only listed, started and stopped.</summary>
    [Fact]
    public async Task S19_a_burst_cycle_only_lists_starts_and_stops_and_records_history_L2126()
    {
        await TickAsync();
        Assert.Contains("start i-a", _provider.Calls);
        _clock.Advance(5 * Minute);
        _live["A"] = 0; // its silo joined
        _loads["London"] = new("London", 30, false);
        _loads["Burst-EU"] = new("Burst-EU", 20, false);
        var status = await TickAsync();
        Assert.Equal(OverflowNodeState.Running, status.Nodes.Single(n => n.Name == "A").State);
        _clock.Advance(45 * Minute);
        await TickAsync();
        Assert.Contains("stop i-a", _provider.Calls);

        Assert.All(_provider.Calls, c => Assert.Matches("^(list|start i-.|stop i-.)$", c));
        var history = (await _history.ListAsync()).OrderBy(e => e.Id, StringComparer.Ordinal).ToList();
        Assert.Equal([("A", NodeStatusEvents.Start), ("A", NodeStatusEvents.Running), ("A", NodeStatusEvents.Stop)], history.Select(e => (e.Node, e.Event)));
        Assert.Contains("London", history[0].Reason);
        Assert.Equal(BurstingPolicy.NoLongerNeeded, history[2].Reason);
    }

    /// <summary>S12a (L16354, L15441): a tagged instance without a configured node raises bursting_missing_pexip_node; configuring it clears the alarm.</summary>
    [Fact]
    public async Task S12a_a_tagged_instance_without_a_node_raises_the_alarm_until_configured_L16354()
    {
        _provider.Instances.Add(new("i-c", "C", "10.0.0.13", CloudInstanceState.Stopped, Tag));
        var status = await TickAsync();
        Assert.Contains("Instance C (with IP 10.0.0.13) was found, but no corresponding Conferencing Node has been configured", status.Issues);
        var alarm = Assert.Single(await AlarmsAsync(AlarmCatalogue.BurstingMissingNode));
        Assert.Equal((13, AlarmLevel.Warning), (AlarmCatalogue.BurstingMissingNode.Id, alarm.Level));

        _nodes.Add(new("C", "Burst-EU", NodeRole.Transcoding, CapacityUnits.FromHdCalls(20)) { IsCloudBurstingNode = true });
        await TickAsync();
        Assert.Empty(await AlarmsAsync(AlarmCatalogue.BurstingMissingNode));
    }

    /// <summary>S12b (L16353): instances without our tag, or with another value, are not ours and never started.</summary>
    [Fact]
    public async Task S12b_untagged_or_wrongly_tagged_instances_are_never_started_L16353()
    {
        _provider.Instances[0] = _provider.Instances[0] with { TagValue = "someone-else" };
        _provider.Instances[1] = _provider.Instances[1] with { TagValue = null };
        var status = await TickAsync();
        Assert.DoesNotContain(_provider.Calls, c => c.StartsWith("start", StringComparison.Ordinal));
        Assert.All(status.Nodes, n => Assert.Null(n.InstanceId));
        // Still shown on the status page, with London at the threshold.
        Assert.Equal(["A", "B"], status.Nodes.Select(n => n.Name));
        Assert.Equal(BurstingThresholdState.ThresholdReached, status.Principals.Single().State);
    }

    /// <summary>S14 (L15438–15440): each provider failure raises its alarm and changes no node; a later success lowers it.</summary>
    [Theory]
    [InlineData(BurstingFailureKind.Authentication, "bursting_authentication_failure", 17)]
    [InlineData(BurstingFailureKind.UnauthorizedInstance, "bursting_unauthorized_instance_failure", 15)]
    [InlineData(BurstingFailureKind.UnauthorizedRegion, "bursting_unauthorized_region_failure", 16)]
    [InlineData(BurstingFailureKind.Other, "bursting_error", 12)]
    public async Task S14_provider_failures_raise_their_alarm_and_change_nothing_L15438(BurstingFailureKind kind, string key, int id)
    {
        _provider.FailList = new BurstingProviderException(kind, "denied");
        var status = await TickAsync();
        Assert.Equal(["list"], _provider.Calls);
        Assert.All(status.Nodes, n => Assert.Equal(OverflowNodeState.NotRunning, n.State));
        var alarm = Assert.Single(await _alarms.ActiveAsync());
        Assert.Equal((key, AlarmLevel.Error, Controller), (alarm.Key, alarm.Level, alarm.Node));
        Assert.Equal(id, AlarmCatalogue.All.Single(k => k.Key == key).Id);

        _provider.FailList = null;
        _provider.FailStart = new BurstingProviderException(kind, "denied");
        await TickAsync();
        Assert.Single(await _alarms.ActiveAsync(), a => a.Key == key);
        Assert.Empty(await _history.ListAsync());

        _provider.FailStart = null;
        await TickAsync();
        Assert.Empty(await _alarms.ActiveAsync());
        Assert.Contains("start i-a", _provider.Calls);
    }

    /// <summary>S13 (L15444): the alarm follows the configuration.</summary>
    [Fact]
    public async Task S13_overflow_location_nobody_uses_raises_bursting_no_location_overflow_L15444()
    {
        _locations[0] = _locations[0] with { PrimaryOverflowLocation = null };
        await TickAsync();
        Assert.Equal("Burst-EU", Assert.Single(await AlarmsAsync(AlarmCatalogue.BurstingNoLocationOverflow)).Instance);
        _locations[0] = _locations[0] with { PrimaryOverflowLocation = "Burst-EU" };
        await TickAsync();
        Assert.Empty(await AlarmsAsync(AlarmCatalogue.BurstingNoLocationOverflow));
    }

    /// <summary>The manual start (AZ:679): its outcomes, and the "manual start" reason in history.</summary>
    [Fact]
    public async Task Manual_start_outcomes_AZ679()
    {
        _loads["London"] = new("London", 30, false);
        await TickAsync();
        Assert.Equal(ManualStartOutcome.UnknownNode, await _controller.StartManuallyAsync("London-1", _nodes));
        _nodes.Add(new("D", "Burst-EU", NodeRole.Transcoding, CapacityUnits.FromHdCalls(20)) { IsCloudBurstingNode = true });
        Assert.Equal(ManualStartOutcome.NoInstance, await _controller.StartManuallyAsync("D", _nodes));
        Assert.Equal(ManualStartOutcome.Started, await _controller.StartManuallyAsync("B", _nodes));
        Assert.Equal(ManualStartOutcome.AlreadyRunning, await _controller.StartManuallyAsync("B", _nodes));
        Assert.Equal("manual start", Assert.Single(await _history.ListAsync()).Reason);
        Assert.Equal(["start i-b"], _provider.Calls.Where(c => c.StartsWith("start", StringComparison.Ordinal)));
    }
}
