using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConferenceCluster.Conferencing.Tests.Grains;

namespace ConferenceCluster.Silo.Tests.Api;

/// <summary>
/// Names, aliases and descriptions longer than Pexip's limits are refused with a 400 naming the field (issue 12,
/// "Bad input and faults"): 250 characters for aliases and their descriptions (L9535, L9537) and, as for every service
/// the seed states a limit for (L9426–9430, L9511–9513), for names, descriptions and service tags. Exactly the limit
/// is taken; nothing refused is stored. The class shares one silo (<see cref="LondonCluster"/>): every object a test
/// creates has a name of its own, and what a test looks for (its own too-long value) no other test stores.
/// </summary>
public sealed class FieldLimitTests(FieldLimitTests.LondonCluster london) : IClassFixture<FieldLimitTests.LondonCluster>
{
    private const string Locations = "/api/admin/configuration/v1/system_location/";
    private const string Nodes = "/api/admin/configuration/v1/worker_vm/";
    private const string Conferences = "/api/admin/configuration/v1/conference/";
    private const string Sinks = "/api/admin/configuration/v1/event_sink/";
    private const int Limit = 250;

    private ApiTestCluster _cluster => london.Cluster;
    private string _london => london.LocationUri;

    /// <summary>One silo, London01, with its system location London.</summary>
    public sealed class LondonCluster : IAsyncLifetime
    {
        internal ApiTestCluster Cluster { get; private set; } = null!;

        public string LocationUri { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Cluster = await ApiTestCluster.StartAsync("field-limits", [NodeSpec.Transcoding("London01", "London", hdCalls: 10)]);
            LocationUri = (await Cluster.SendAsync(HttpMethod.Post, Locations, new { name = "London" }, HttpStatusCode.Created)).GetProperty("resource_uri").GetString()!;
        }

        public async Task DisposeAsync() => await Cluster.DisposeAsync();
    }

    private static string Text(int length, char fill = 'a') => new(fill, length);

    /// <summary>A valid object of the resource with <paramref name="field"/> set to <paramref name="value"/>.</summary>
    private JsonObject Body(string resource, string field, string value)
    {
        var name = field == "name" ? value : $"{resource.Split('/')[^2]}-{Guid.NewGuid():N}"[..40];
        var body = resource switch
        {
            Locations => new JsonObject { ["name"] = name },
            Nodes => new JsonObject { ["name"] = name, ["system_location"] = _london, ["node_type"] = "conferencing" },
            Conferences => new JsonObject { ["name"] = name, ["aliases"] = new JsonArray(new JsonObject { ["alias"] = $"{name}-alias"[..Math.Min(name.Length + 6, Limit)] }) },
            Sinks => new JsonObject { ["name"] = name, ["url"] = "http://127.0.0.1:9/events" },
            _ => throw new ArgumentOutOfRangeException(nameof(resource)),
        };
        switch (field)
        {
            case "name":
                break;
            case "aliases[0].alias":
                body["aliases"] = new JsonArray(new JsonObject { ["alias"] = value });
                break;
            case "aliases[0].description":
                body["aliases"]![0]!["description"] = value;
                break;
            default:
                body[field] = value;
                break;
        }
        return body;
    }

    [Theory]
    [InlineData(Locations, "name")]
    [InlineData(Locations, "description")]
    [InlineData(Nodes, "name")]
    [InlineData(Nodes, "description")]
    [InlineData(Conferences, "name")]
    [InlineData(Conferences, "description")]
    [InlineData(Conferences, "tag")]
    [InlineData(Conferences, "aliases[0].alias")]
    [InlineData(Conferences, "aliases[0].description")]
    [InlineData(Sinks, "name")]
    [InlineData(Sinks, "description")]
    public async Task One_character_over_250_is_a_400_naming_the_field_and_250_are_taken_L9535_L9537_L9511_L9513(string resource, string field)
    {
        var tooLong = Text(Limit + 1, field == "name" ? 'n' : 'd');
        var error = await _cluster.SendAsync(HttpMethod.Post, resource, Body(resource, field, tooLong), HttpStatusCode.BadRequest);

        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Contains("250", error.GetProperty("error").GetString());
        Assert.DoesNotContain(tooLong, error.GetProperty("error").GetString());
        Assert.Equal(0, (await _cluster.GetAsync(resource + "?limit=0")).GetProperty("objects").EnumerateArray()
            .Count(o => o.ToString().Contains(tooLong, StringComparison.Ordinal)));

        var atLimit = await _cluster.SendAsync(HttpMethod.Post, resource, Body(resource, field, Text(Limit, field == "name" ? 'n' : 'd')), HttpStatusCode.Created);
        Assert.Equal(JsonValueKind.Object, atLimit.ValueKind);
    }

    /// <summary>The case the issue found: a conference and a system location named with 100,000 characters were created (201).</summary>
    [Theory]
    [InlineData(Locations)]
    [InlineData(Conferences)]
    public async Task A_name_of_100000_characters_is_refused(string resource)
    {
        var error = await _cluster.SendAsync(HttpMethod.Post, resource, Body(resource, "name", Text(100_000)), HttpStatusCode.BadRequest);

        Assert.Equal("name", error.GetProperty("field").GetString());
        Assert.True(error.GetProperty("error").GetString()!.Length < 1000, "the error repeats the name");
    }

    [Fact]
    public async Task A_patch_that_makes_a_field_too_long_is_refused_and_the_object_keeps_its_value()
    {
        var room = await _cluster.SendAsync(HttpMethod.Post, Conferences, Body(Conferences, "description", "short"), HttpStatusCode.Created);
        var uri = room.GetProperty("resource_uri").GetString()!;

        var error = await _cluster.SendAsync(HttpMethod.Patch, uri, new { description = Text(Limit + 1) }, HttpStatusCode.BadRequest);

        Assert.Equal("description", error.GetProperty("field").GetString());
        Assert.Equal("short", (await _cluster.GetAsync(uri)).GetProperty("description").GetString());
    }
}
