using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Tests.Grains;

namespace ConferenceCluster.Silo.Tests.Api;

/// <summary>
/// <c>/api/admin/configuration/v1/</c> on one silo (node "London01" in location "London"): CRUD round trips in Pexip's
/// shape, resource URIs as references, filters, paging, validation errors naming the field.
/// </summary>
public sealed class ConfigurationApiTests : IAsyncLifetime
{
    private const string Locations = "/api/admin/configuration/v1/system_location/";
    private const string Nodes = "/api/admin/configuration/v1/worker_vm/";
    private const string Conferences = "/api/admin/configuration/v1/conference/";
    private const string Global = "/api/admin/configuration/v1/global/";

    private readonly RacingStore _store = new("configuration-api");
    private ApiTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await ApiTestCluster.StartAsync("configuration-api", [NodeSpec.Transcoding("London01", "London", hdCalls: 10)], _store);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private Task<JsonElement> Get(string path, HttpStatusCode expected = HttpStatusCode.OK) => _cluster.GetAsync(path, expected);

    private Task<JsonElement> Send(HttpMethod method, string path, object body, HttpStatusCode expected = HttpStatusCode.OK) =>
        _cluster.SendAsync(method, path, body, expected);

    private static string[] Names(JsonElement list) =>
        list.GetProperty("objects").EnumerateArray().Select(o => o.GetProperty("name").GetString()!).ToArray();

    private static void AssertError(JsonElement error, string field) =>
        Assert.True(field == error.GetProperty("field").GetString() && !string.IsNullOrEmpty(error.GetProperty("error").GetString()), error.ToString());

    [Fact]
    public async Task A_system_location_round_trips_with_201_Location_and_resource_uri_references()
    {
        var response = await _cluster.Http.PostAsJsonAsync(Locations, new { name = "Paris", description = "HQ" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var paris = await response.Content.ReadFromJsonAsync<JsonElement>();
        var parisUri = paris.GetProperty("resource_uri").GetString()!;
        Assert.Equal($"{Locations}{paris.GetProperty("id").GetInt64()}/", parisUri);
        Assert.Equal(parisUri, response.Headers.Location!.OriginalString);
        Assert.Equal((1500, JsonValueKind.Null), (paris.GetProperty("mtu").GetInt32(), paris.GetProperty("transcoding_location").ValueKind));

        var oslo = await Send(HttpMethod.Post, Locations, new { name = "Oslo", transcoding_location = parisUri, overflow_location1 = parisUri }, HttpStatusCode.Created);
        var osloUri = oslo.GetProperty("resource_uri").GetString()!;
        Assert.NotEqual(paris.GetProperty("id").GetInt64(), oslo.GetProperty("id").GetInt64());

        var read = await Get(osloUri);
        Assert.Equal((parisUri, parisUri, JsonValueKind.Null),
            (read.GetProperty("transcoding_location").GetString(), read.GetProperty("overflow_location1").GetString(), read.GetProperty("overflow_location2").ValueKind));

        // PATCH changes the fields given and keeps the others.
        var patched = await Send(HttpMethod.Patch, osloUri, new { mtu = 1400, overflow_location1 = (string?)null });
        Assert.Equal((1400, JsonValueKind.Null, parisUri),
            (patched.GetProperty("mtu").GetInt32(), patched.GetProperty("overflow_location1").ValueKind, patched.GetProperty("transcoding_location").GetString()));
        Assert.Equal(1400, (await Get(osloUri)).GetProperty("mtu").GetInt32());

        // Paris is still Oslo's transcoding location: deleting it is refused (London is the node's own location, so Paris here), naming the referencing field.
        var refused = await _cluster.Http.DeleteAsync(parisUri);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        AssertError(await refused.Content.ReadFromJsonAsync<JsonElement>(), "transcoding_location");

        Assert.Equal(HttpStatusCode.NoContent, (await _cluster.Http.DeleteAsync(osloUri)).StatusCode);
        await Get(osloUri, HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, (await _cluster.Http.DeleteAsync(osloUri)).StatusCode);
        // A new Oslo is a new object with a new id; the old URI stays dead.
        var again = await Send(HttpMethod.Post, Locations, new { name = "Oslo" }, HttpStatusCode.Created);
        Assert.NotEqual(osloUri, again.GetProperty("resource_uri").GetString());
        await Get(osloUri, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Lists_filter_on_fields_and_page_with_limit_and_offset()
    {
        foreach (var name in new[] { "a", "b", "c" })
            await Send(HttpMethod.Post, Locations, new { name, description = name == "b" ? "odd" : "even" }, HttpStatusCode.Created);

        var all = await Get(Locations);
        Assert.Equal(["a", "b", "c"], Names(all));
        Assert.Equal(3, all.GetProperty("meta").GetProperty("total_count").GetInt32());
        Assert.Equal(["b"], Names(await Get(Locations + "?name=b")));
        Assert.Equal(["a", "c"], Names(await Get(Locations + "?description=even")));
        var page = await Get(Locations + "?limit=1&offset=1");
        Assert.Equal(["b"], Names(page));
        Assert.Equal(Locations + "?limit=1&offset=2", page.GetProperty("meta").GetProperty("next").GetString());
        AssertError(await Get(Locations + "?colour=red", HttpStatusCode.BadRequest), "colour");
    }

    [Fact]
    public async Task Validation_errors_are_400_naming_the_field()
    {
        AssertError(await Send(HttpMethod.Post, Locations, new { name = "x", mtu = 100 }, HttpStatusCode.BadRequest), "mtu");
        AssertError(await Send(HttpMethod.Post, Locations, new { name = "x", mtu = "big" }, HttpStatusCode.BadRequest), "mtu");
        AssertError(await Send(HttpMethod.Post, Locations, new { name = "x", colour = "red" }, HttpStatusCode.BadRequest), "colour");
        AssertError(await Send(HttpMethod.Post, Locations, new { description = "no name" }, HttpStatusCode.BadRequest), "name");
        AssertError(await Send(HttpMethod.Post, Locations, new { name = "x", transcoding_location = Locations + "999/" }, HttpStatusCode.BadRequest), "transcoding_location");
        AssertError(await Send(HttpMethod.Post, Locations, new { name = "x", overflow_location2 = "Nowhere" }, HttpStatusCode.BadRequest), "overflow_location2");
        await Send(HttpMethod.Post, Locations, new { name = "x" }, HttpStatusCode.Created);
        AssertError(await Send(HttpMethod.Post, Locations, new { name = "x" }, HttpStatusCode.BadRequest), "name");
        await Get(Locations + "12345/", HttpStatusCode.NotFound);
        await Get(Locations + "not-a-number/", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_conference_round_trips_with_aliases_pins_and_pexip_values()
    {
        var room = await Send(HttpMethod.Post, Conferences, new
        {
            name = "Alice's VMR",
            aliases = new[] { new { alias = "meet.alice@example.com" }, new { alias = "alice" } },
            pin = "1234",
            allow_guests = true,
            guest_pin = "5678",
            max_pixels_per_second = "fullhd",
            call_type = "video-only",
            participant_limit = 10,
            host_view = "one_main_zero_pips",
        }, HttpStatusCode.Created);
        Assert.Equal("one_main_zero_pips", room.GetProperty("host_view").GetString());
        var uri = room.GetProperty("resource_uri").GetString()!;
        Assert.Equal(("conference", "1234", "fullhd", "video-only", 10, JsonValueKind.Null),
            (room.GetProperty("service_type").GetString(), room.GetProperty("pin").GetString(), room.GetProperty("max_pixels_per_second").GetString(),
             room.GetProperty("call_type").GetString(), room.GetProperty("participant_limit").GetInt32(), room.GetProperty("crypto_mode").ValueKind));
        Assert.Equal(["meet.alice@example.com", "alice"], room.GetProperty("aliases").EnumerateArray().Select(a => a.GetProperty("alias").GetString()));
        Assert.Equal(["Alice's VMR"], Names(await Get(Conferences + "?name=" + Uri.EscapeDataString("Alice's VMR"))));

        // PIN rules (R-PIN-1/2) and alias uniqueness name the field at fault.
        AssertError(await Send(HttpMethod.Patch, uri, new { guest_pin = "1234" }, HttpStatusCode.BadRequest), "guest_pin");
        AssertError(await Send(HttpMethod.Patch, uri, new { pin = "", guest_pin = "" }, HttpStatusCode.BadRequest), "pin");
        AssertError(await Send(HttpMethod.Post, Conferences, new { name = "Bob's VMR", aliases = new[] { new { alias = "ALICE" } } }, HttpStatusCode.BadRequest), "aliases[0].alias");
        AssertError(await Send(HttpMethod.Post, Conferences, new { name = "Bob's VMR", service_type = "lecture" }, HttpStatusCode.BadRequest), "service_type");
        AssertError(await Send(HttpMethod.Patch, uri, new { name = "Renamed" }, HttpStatusCode.BadRequest), "name");
        AssertError(await Send(HttpMethod.Patch, uri, new { host_view = "1:7" }, HttpStatusCode.BadRequest), "host_view");

        var patched = await Send(HttpMethod.Patch, uri, new { aliases = new[] { new { alias = "alice" } }, allow_guests = false, guest_pin = "" });
        Assert.Equal(("1234", false), (patched.GetProperty("pin").GetString(), patched.GetProperty("allow_guests").GetBoolean()));
        // The dropped alias is free again.
        await Send(HttpMethod.Post, Conferences, new { name = "Bob's VMR", aliases = new[] { new { alias = "meet.alice@example.com" } } }, HttpStatusCode.Created);

        Assert.Equal(HttpStatusCode.NoContent, (await _cluster.Http.DeleteAsync(uri)).StatusCode);
        await Get(uri, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PUT_replaces_the_whole_object_and_fields_it_leaves_out_go_back_to_their_defaults()
    {
        var room = await Send(HttpMethod.Post, Conferences, new { name = "put", pin = "1234", participant_limit = 3, tag = "sales" }, HttpStatusCode.Created);
        var uri = room.GetProperty("resource_uri").GetString()!;

        var replaced = await Send(HttpMethod.Put, uri, new { name = "put", aliases = new[] { new { alias = "put@example.com" } } });

        Assert.Equal(("", JsonValueKind.Null, "", "put@example.com"), (replaced.GetProperty("pin").GetString(), replaced.GetProperty("participant_limit").ValueKind,
            replaced.GetProperty("tag").GetString(), replaced.GetProperty("aliases")[0].GetProperty("alias").GetString()));
        Assert.Equal(room.GetProperty("id").GetInt64(), replaced.GetProperty("id").GetInt64());
        Assert.Equal(["put"], Names(await Get(Conferences + "?id=" + room.GetProperty("id").GetInt64())));
        await Send(HttpMethod.Put, Conferences + "999/", new { name = "put" }, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Nodes_are_listed_with_their_location_as_a_resource_uri_and_can_be_created_and_edited()
    {
        var london = await Send(HttpMethod.Post, Locations, new { name = "London" }, HttpStatusCode.Created);
        var londonUri = london.GetProperty("resource_uri").GetString()!;

        // The silo registered itself as a node; the API numbers it on first sight.
        var self = (await Get(Nodes + "?name=London01")).GetProperty("objects")[0];
        Assert.Equal((londonUri, "conferencing", 120L, false),
            (self.GetProperty("system_location").GetString(), self.GetProperty("node_type").GetString(), self.GetProperty("max_audio_calls").GetInt64(),
             self.GetProperty("managed").GetBoolean()));

        var edge = await Send(HttpMethod.Post, Nodes, new { name = "Edge01", system_location = londonUri, node_type = "proxying", max_audio_calls = 600 }, HttpStatusCode.Created);
        var edgeUri = edge.GetProperty("resource_uri").GetString()!;
        var maintained = await Send(HttpMethod.Patch, edgeUri, new { maintenance_mode = true });
        Assert.Equal((true, "proxying", true), (maintained.GetProperty("maintenance_mode").GetBoolean(), maintained.GetProperty("node_type").GetString(),
            maintained.GetProperty("managed").GetBoolean()));
        AssertError(await Send(HttpMethod.Patch, edgeUri, new { node_type = "gateway" }, HttpStatusCode.BadRequest), "node_type");
        AssertError(await Send(HttpMethod.Patch, edgeUri, new { cloud_bursting = true }, HttpStatusCode.BadRequest), "node_type");

        // A location with nodes in it cannot go; its node names the field.
        var refused = await _cluster.Http.DeleteAsync(londonUri);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        AssertError(await refused.Content.ReadFromJsonAsync<JsonElement>(), "system_location");
        Assert.Equal(HttpStatusCode.NoContent, (await _cluster.Http.DeleteAsync(edgeUri)).StatusCode);
    }

    [Fact]
    public async Task The_global_settings_are_one_object_read_and_patched()
    {
        var list = await Get(Global);
        Assert.Equal(1, list.GetProperty("meta").GetProperty("total_count").GetInt32());
        var global = list.GetProperty("objects")[0];
        Assert.Equal(("hd", Global + "1/"), (global.GetProperty("max_pixels_per_second").GetString(), global.GetProperty("resource_uri").GetString()));

        var patched = await Send(HttpMethod.Patch, Global + "1/", new { max_pixels_per_second = "sd", guests_only_timeout = 120 });
        Assert.Equal(("sd", 120), (patched.GetProperty("max_pixels_per_second").GetString(), patched.GetProperty("guests_only_timeout").GetInt32()));
        Assert.Equal("sd", (await Get(Global + "1/")).GetProperty("max_pixels_per_second").GetString());
        AssertError(await Send(HttpMethod.Patch, Global + "1/", new { max_presentation_bandwidth_ratio = 90 }, HttpStatusCode.BadRequest), "max_presentation_bandwidth_ratio");
        AssertError(await Send(HttpMethod.Patch, Global + "1/", new { bursting_min_lifetime = -1 }, HttpStatusCode.BadRequest), "bursting_min_lifetime");
        AssertError(await Send(HttpMethod.Patch, Global, new { crypto_mode = "maybe" }, HttpStatusCode.BadRequest), "crypto_mode");
        await Get(Global + "2/", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_change_racing_a_patch_gets_409_and_is_not_overwritten()
    {
        var room = await Send(HttpMethod.Post, Conferences, new { name = "race", description = "before" }, HttpStatusCode.Created);
        var uri = room.GetProperty("resource_uri").GetString()!;
        var repository = new ConfigurationRepository(_store);
        // Another administrator saves the room between this PATCH's read and its write (the hook unhooks itself first).
        _store.BeforeUpdate = async (collection, id) =>
        {
            if (collection != ConfigurationCollections.Conferences || id != "race") return;
            _store.BeforeUpdate = null;
            var theirs = (await repository.GetConferenceAsync("race"))!;
            Assert.True((await repository.UpdateConferenceAsync(theirs.Value with { Description = "theirs" }, theirs.Version)).Succeeded);
        };

        await Send(HttpMethod.Patch, uri, new { description = "ours" }, HttpStatusCode.Conflict);
        Assert.Equal("theirs", (await Get(uri)).GetProperty("description").GetString());
        // Read again, change again: it applies on top of theirs.
        var patched = await Send(HttpMethod.Patch, uri, new { participant_limit = 5 });
        Assert.Equal(("theirs", 5), (patched.GetProperty("description").GetString(), patched.GetProperty("participant_limit").GetInt32()));
    }

    [Fact]
    public async Task Commands_name_the_missing_field()
    {
        AssertError(await Send(HttpMethod.Post, "/api/admin/command/v1/participant/disconnect/", new { }, HttpStatusCode.BadRequest), "participant_id");
        AssertError(await Send(HttpMethod.Post, "/api/admin/command/v1/conference/disconnect/", new { conference_id = "nobody" }, HttpStatusCode.NotFound), "conference_id");
        const string TransformLayout = "/api/admin/command/v1/conference/transform_layout/";
        AssertError(await Send(HttpMethod.Post, TransformLayout, new { layout = "1:0" }, HttpStatusCode.BadRequest), "conference_id");
        AssertError(await Send(HttpMethod.Post, TransformLayout, new { conference_id = "nobody", layout = "3:3" }, HttpStatusCode.BadRequest), "layout");
        AssertError(await Send(HttpMethod.Post, TransformLayout, new { conference_id = "nobody", layout = "1:0" }, HttpStatusCode.NotFound), "conference_id");
    }
}
