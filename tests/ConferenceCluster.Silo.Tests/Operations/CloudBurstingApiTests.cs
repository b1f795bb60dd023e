using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ConferenceCluster.Silo.Tests.Operations;

/// <summary>
/// The Cloud Bursting API (AZ:679, L2118–2122) on a silo whose provider is the <c>command</c> one, over /bin/sh scripts
/// keeping instance states in a file: the overflow nodes, the principal locations, the manual start and its history.
/// </summary>
public sealed class CloudBurstingApiTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cc-bursting-api-").FullName;

    private string StateFile => Path.Combine(_directory, "instances");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static JsonElement[] Objects(JsonElement list) => list.GetProperty("objects").EnumerateArray().ToArray();

    private static async Task<JsonElement> SendAsync(HttpClient http, HttpMethod method, string path, object? body, HttpStatusCode expected)
    {
        var response = await http.SendAsync(new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>AZ:679: start_cloudnode starts a listed overflow node; unknown names are 404, a missing field 400 naming it.</summary>
    [Fact]
    public async Task Manual_start_through_the_API_starts_the_instance_and_is_in_the_node_history_AZ679()
    {
        File.WriteAllText(StateFile, "i-a Burst01 stopped - conference-cluster\n");
        await using var host = await TestSilos.StartAsync(new Dictionary<string, string?>
        {
            ["Silo:Name"] = "London01",
            ["Silo:Location"] = "London",
            ["Silo:Capacity:AudioCalls"] = "120",
            ["Admin:Password"] = TestSilos.AdminPassword,
            ["Operations:Bursting:Provider"] = "command",
            ["Operations:Bursting:TickInterval"] = "00:00:00.200",
            ["Operations:Bursting:Command:ListCommand"] = $"cat '{StateFile}'",
            ["Operations:Bursting:Command:StartCommand"] = $"sed -i \"s/^$CC_INSTANCE_ID \\(\\S*\\) stopped/$CC_INSTANCE_ID \\1 running/\" '{StateFile}'",
            ["Operations:Bursting:Command:StopCommand"] = $"sed -i \"s/^$CC_INSTANCE_ID \\(\\S*\\) running/$CC_INSTANCE_ID \\1 stopped/\" '{StateFile}'",
        });
        using var http = TestSilos.Http(host, "admin", TestSilos.AdminPassword);
        var burstEu = (await SendAsync(http, HttpMethod.Post, "/api/admin/configuration/v1/system_location/", new { name = "Burst-EU" }, HttpStatusCode.Created))
            .GetProperty("resource_uri").GetString();
        await SendAsync(http, HttpMethod.Post, "/api/admin/configuration/v1/system_location/", new { name = "London", overflow_location1 = burstEu }, HttpStatusCode.Created);
        await SendAsync(http, HttpMethod.Post, "/api/admin/configuration/v1/worker_vm/",
            new { name = "Burst01", system_location = burstEu, node_type = "conferencing", max_audio_calls = 240, cloud_bursting = true }, HttpStatusCode.Created);

        await Eventually.TrueAsync(async () => Objects(await SendAsync(http, HttpMethod.Get, "/api/admin/status/v1/cloud_node/", null, HttpStatusCode.OK))
            .Any(n => n.GetProperty("instance_id").GetString() == "i-a"), "Burst01 listed with its instance");
        var node = Objects(await SendAsync(http, HttpMethod.Get, "/api/admin/status/v1/cloud_node/?name=Burst01", null, HttpStatusCode.OK)).Single();
        Assert.Equal(("not_running", "Burst-EU"), (node.GetProperty("state").GetString(), node.GetProperty("system_location").GetString()));
        var london = Objects(await SendAsync(http, HttpMethod.Get, "/api/admin/status/v1/cloud_monitored_location/", null, HttpStatusCode.OK)).Single();
        Assert.Equal(("London", "Burst-EU", 10L, "below_threshold", ""), (london.GetProperty("name").GetString(), london.GetProperty("overflow_location").GetString(),
            london.GetProperty("available_hd_calls").GetInt64(), london.GetProperty("bursting_state").GetString(), london.GetProperty("status").GetString()));

        var error = await SendAsync(http, HttpMethod.Post, "/api/admin/command/v1/platform/start_cloudnode/", new { }, HttpStatusCode.BadRequest);
        Assert.Equal("instance_id", error.GetProperty("field").GetString());
        await SendAsync(http, HttpMethod.Post, "/api/admin/command/v1/platform/start_cloudnode/", new { instance_id = "London01" }, HttpStatusCode.NotFound);
        await SendAsync(http, HttpMethod.Post, "/api/admin/command/v1/platform/start_cloudnode/", new { instance_id = "Burst01" }, HttpStatusCode.Accepted);

        Assert.Contains("i-a Burst01 running", File.ReadAllText(StateFile));
        // Its silo never joins here, so it stays "starting" (no capacity yet, L2054).
        node = Objects(await SendAsync(http, HttpMethod.Get, "/api/admin/status/v1/cloud_node/?name=Burst01", null, HttpStatusCode.OK)).Single();
        Assert.Equal("starting", node.GetProperty("state").GetString());
        var history = Objects(await SendAsync(http, HttpMethod.Get, "/api/admin/history/v1/workervm_status_event/", null, HttpStatusCode.OK)).Single();
        Assert.Equal(("Burst01", "start", "manual start"), (history.GetProperty("node").GetString(), history.GetProperty("event").GetString(), history.GetProperty("reason").GetString()));
        await SendAsync(http, HttpMethod.Post, "/api/admin/command/v1/platform/start_cloudnode/", new { instance_id = "Burst01" }, HttpStatusCode.Accepted);
        Assert.Single(Objects(await SendAsync(http, HttpMethod.Get, "/api/admin/history/v1/workervm_status_event/", null, HttpStatusCode.OK)));
    }
}
