using System.Net;
using System.Text.Json;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Operations.EventSinks;
using ConferenceCluster.Conferencing.Tests.Grains;
using ConferenceCluster.Conferencing.Tests.Operations;
using ConferenceCluster.Silo.Tests.Api;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Silo.Tests.Operations;

/// <summary>
/// Alarms and event sinks through the management API of real silo hosts: the capacity alarm raised by a refused call
/// and lowered by the next successful one, the event_sink resource, and a real conference's events reaching a local
/// receiver that fails at first.
/// </summary>
public sealed class OperationsApiTests
{
    private const string Alarms = "/api/admin/status/v1/alarm/";
    private const string AlarmHistory = "/api/admin/history/v1/alarm/";
    private const string Sinks = "/api/admin/configuration/v1/event_sink/";

    private static JsonElement[] Objects(JsonElement list) => list.GetProperty("objects").EnumerateArray().ToArray();

    private static Task<ApiTestCluster> LondonAsync(string clusterId) =>
        ApiTestCluster.StartAsync(clusterId, [NodeSpec.Transcoding("London01", "London", hdCalls: 2)], [new SystemLocation("London")], "meet");

    /// <summary>
    /// L15414: "Call capacity limit reached" (capacity_exhausted, ID 1, Warning) is raised when a call is refused for
    /// capacity and lowered "the next time a new call is successfully placed"; it then shows in the alarm history.
    /// </summary>
    [Fact]
    public async Task Capacity_alarm_is_raised_by_a_refused_call_and_lowered_by_the_next_placed_one_L15414()
    {
        await using var cluster = await LondonAsync("ops-capacity-alarm");
        Assert.Empty(Objects(await cluster.GetAsync(Alarms)));
        await cluster.FillAsync("London01");
        var refused = await cluster.DialAsync("caller-1", "meet", "London01");
        Assert.Equal(JoinRejectionReason.CapacityExceeded, refused.Rejection);

        await Eventually.TrueAsync(async () => Objects(await cluster.GetAsync($"{Alarms}?name=capacity_exhausted")).Length == 1, "the capacity alarm");
        var alarm = Objects(await cluster.GetAsync($"{Alarms}?name=capacity_exhausted")).Single();
        Assert.Equal((1, "warning", "London01", "Call capacity limit reached"),
            (alarm.GetProperty("identifier").GetInt32(), alarm.GetProperty("level").GetString(), alarm.GetProperty("node").GetString(), alarm.GetProperty("description").GetString()));
        var byUri = await cluster.GetAsync(alarm.GetProperty("resource_uri").GetString()!);
        Assert.Equal(alarm.GetProperty("id").GetInt64(), byUri.GetProperty("id").GetInt64());
        AssertFieldError(await cluster.GetAsync($"{Alarms}?severity=high", HttpStatusCode.BadRequest), "severity");
        await cluster.GetAsync($"{Alarms}999999/", HttpStatusCode.NotFound);

        // Other load goes, and the next call is placed: the alarm is lowered and kept in the history.
        var load = await cluster.LoadUnitsAsync("London01");
        await cluster.GrainsOn("London01").GetGrain<INodeGrain>("London01").Release(ApiTestCluster.OtherConferences, new CapacityUnits(load));
        await cluster.AdmitAsync("caller-2", "meet", "London01");
        await Eventually.TrueAsync(async () => Objects(await cluster.GetAsync(Alarms)).Length == 0, "the capacity alarm to be lowered");
        var lowered = Objects(await cluster.GetAsync($"{AlarmHistory}?name=capacity_exhausted")).Single();
        Assert.Equal(alarm.GetProperty("id").GetInt64(), lowered.GetProperty("id").GetInt64());
        Assert.True(lowered.GetProperty("time_lowered").GetDateTimeOffset() >= lowered.GetProperty("time_raised").GetDateTimeOffset());
    }

    /// <summary>The event_sink resource (L3059–3066): validation names the field; the password is never shown and a PATCH without it keeps it.</summary>
    [Fact]
    public async Task Event_sink_resource_validates_hides_the_password_and_keeps_it_on_patch_L3059()
    {
        await using var cluster = await LondonAsync("ops-event-sink-resource");
        var london = Objects(await cluster.GetAsync("/api/admin/configuration/v1/system_location/?name=London")).Single().GetProperty("resource_uri").GetString()!;
        AssertFieldError(await cluster.SendAsync(HttpMethod.Post, Sinks, new { name = "audit", url = "not a url" }, HttpStatusCode.BadRequest), "url");
        AssertFieldError(await cluster.SendAsync(HttpMethod.Post, Sinks, new { name = "audit", url = "http://127.0.0.1:9/", verify_tls = false }, HttpStatusCode.BadRequest), "verify_tls");
        AssertFieldError(await cluster.SendAsync(HttpMethod.Post, Sinks,
            new { name = "audit", url = "http://127.0.0.1:9/", system_locations = new[] { "/api/admin/configuration/v1/system_location/999/" } }, HttpStatusCode.BadRequest), "system_locations");
        AssertFieldError(await cluster.SendAsync(HttpMethod.Post, Sinks, new { name = "audit", url = "http://127.0.0.1:9/", colour = "red" }, HttpStatusCode.BadRequest), "colour");

        var created = await cluster.SendAsync(HttpMethod.Post, Sinks,
            new { name = "audit", url = "http://127.0.0.1:9/events", username = "u", password = "secret", system_locations = new[] { london } }, HttpStatusCode.Created);
        Assert.Equal(("", 1, london), (created.GetProperty("password").GetString(), created.GetProperty("version").GetInt32(),
            created.GetProperty("system_locations")[0].GetString()));
        var uri = created.GetProperty("resource_uri").GetString()!;
        await cluster.SendAsync(HttpMethod.Patch, uri, new { description = "audit trail" });
        var stored = await cluster.Hosts["London01"].Silo.Services.GetRequiredService<EventSinkRepository>().GetAsync("audit");
        Assert.Equal(("audit trail", "secret"), (stored!.Value.Description, stored.Value.Password));
        Assert.Single(Objects(await cluster.GetAsync($"{Sinks}?name=audit")));
    }

    /// <summary>
    /// R-ES-2, L3035, L3070: a real conference's events, POSTed by the node to a sink of its location that answers 500
    /// twice first, arrive once each and in order: conference_started, participant_connected, participant_disconnected,
    /// conference_ended.
    /// </summary>
    [Fact]
    public async Task A_real_conference_publishes_its_events_in_order_to_a_sink_that_fails_at_first_L3070()
    {
        using var receiver = new EventReceiver { Answer = attempt => attempt <= 2 ? 500 : 200 };
        await using var cluster = await LondonAsync("ops-event-sink-delivery");
        var london = Objects(await cluster.GetAsync("/api/admin/configuration/v1/system_location/?name=London")).Single().GetProperty("resource_uri").GetString()!;
        await cluster.SendAsync(HttpMethod.Post, Sinks, new { name = "audit", url = receiver.Url, system_locations = new[] { london } }, HttpStatusCode.Created);
        var dispatcher = cluster.Hosts["London01"].Silo.Services.GetRequiredService<EventSinkDispatcher>();
        await dispatcher.RefreshAsync();
        Assert.NotNull(dispatcher.PendingFor("audit"));

        await cluster.AdmitAsync("caller-1", "meet", "London01");
        await cluster.HangupAsync("caller-1", "London01");
        await Eventually.TrueAsync(() => receiver.Accepted.Count >= 4, "four events");

        var events = receiver.Accepted;
        Assert.Equal([SinkEventNames.ConferenceStarted, SinkEventNames.ParticipantConnected, SinkEventNames.ParticipantDisconnected, SinkEventNames.ConferenceEnded],
            events.Select(e => e.GetProperty("event").GetString()));
        Assert.Equal(events.Select(e => e.GetProperty("seq").GetInt64()).Order(), events.Select(e => e.GetProperty("seq").GetInt64()));
        var connected = events[1].GetProperty("data");
        Assert.Equal(("meet", "caller-1", "London01", "London"), (connected.GetProperty("conference").GetString(), connected.GetProperty("uuid").GetString(),
            connected.GetProperty("media_node").GetString(), connected.GetProperty("system_location").GetString()));
        Assert.Equal("Participant disconnected", events[2].GetProperty("data").GetProperty("disconnect_reason").GetString());
        Assert.Equal("meet", events[3].GetProperty("data").GetProperty("name").GetString());
        Assert.True(receiver.Attempts >= 6, $"{receiver.Attempts} attempts: the two 500s were not retried");
    }

    private static void AssertFieldError(JsonElement error, string field) =>
        Assert.True(field == error.GetProperty("field").GetString() && !string.IsNullOrEmpty(error.GetProperty("error").GetString()), error.ToString());
}
