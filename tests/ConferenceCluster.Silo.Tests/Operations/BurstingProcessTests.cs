using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Operations.Bursting;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Silo.Tests.Operations;

/// <summary>
/// Dynamic bursting end to end with the <c>process</c> provider: an in-process silo London01 (location London, 5 HD)
/// runs the controller; its Primary overflow location Burst-EU holds one cloud bursting node, Burst01, that is a real
/// ConferenceCluster.Silo process the provider starts and stops. Both are silos of one cluster on the test PostgreSQL
/// (a cluster id of this test's own). Load comes from real joins through the conference grain (ParticipantGrain.Dial on
/// London01), not SIP: SIP would add minutes of call set-up and nothing the bursting rules look at.
/// </summary>
public sealed class BurstingProcessTests
{
    private const string Threshold = "2";
    private static readonly TimeSpan MinimumLifetime = TimeSpan.FromSeconds(20);

    /// <summary>
    /// L2030/L2050: London at the threshold with media starts Burst01 (process); L2186: media that London cannot take
    /// lands on it; L2069: once idle past its minimum lifetime it is stopped (SIGTERM), "no longer needed" (L2126).
    /// </summary>
    [Fact]
    public async Task London_at_threshold_starts_a_burst_silo_process_that_takes_media_and_stops_when_idle_past_its_lifetime_L2030_L2069()
    {
        var cluster = TestSilos.PostgresCluster("burst");
        var burstSettings = new Dictionary<string, string>(cluster.Select(kv => KeyValuePair.Create(kv.Key, kv.Value!)))
        {
            ["Silo:Name"] = "Burst01", ["Silo:Location"] = "Burst-EU", ["Silo:AdvertisedAddress"] = "127.0.0.1",
            ["Silo:Ports:Silo"] = "0", ["Silo:Ports:Gateway"] = "0", ["Silo:Ports:Http"] = "0", ["Silo:Ports:Sip"] = "0",
            ["Silo:Capacity:AudioCalls"] = "60", ["Silo:DrainTimeout"] = "00:00:05", ["Admin:Password"] = TestSilos.AdminPassword,
        };
        var settings = new Dictionary<string, string?>(cluster)
        {
            ["Silo:Name"] = "London01", ["Silo:Location"] = "London", ["Silo:Capacity:AudioCalls"] = "60",
            ["Admin:Password"] = TestSilos.AdminPassword,
            // The burst silo's own output comes through the provider's logger at debug level: kept for a failure message.
            [$"Logging:LogLevel:{typeof(ProcessNodeProvider).FullName}"] = "Debug",
            ["Operations:Bursting:Provider"] = "process",
            ["Operations:Bursting:TickInterval"] = "00:00:00.500",
            ["Operations:Bursting:Process:StopTimeout"] = "00:00:30",
            ["Operations:Bursting:Process:Nodes:0:Name"] = "Burst01",
            ["Operations:Bursting:Process:Nodes:0:FileName"] = "dotnet",
            ["Operations:Bursting:Process:Nodes:0:Arguments:0"] = Path.Combine(AppContext.BaseDirectory, "ConferenceCluster.Silo.dll"),
        };
        var argument = 1;
        foreach (var (key, value) in burstSettings) settings[$"Operations:Bursting:Process:Nodes:0:Arguments:{argument++}"] = $"--{key}={value}";

        var logs = new CapturedLogs();
        await using var london = TestSilos.Create(settings, logs);
        await london.StartAsync();
        using var http = TestSilos.Http(london, "admin", TestSilos.AdminPassword);
        var provider = london.Silo.Services.GetRequiredService<IOverflowNodeProvider>();
        var grains = london.Silo.GrainFactory;
        try
        {
            // The operator's configuration: London overflows to Burst-EU, Burst01 is a cloud bursting node there.
            var burstEu = await PostAsync(http, "/api/admin/configuration/v1/system_location/", new { name = "Burst-EU" });
            var londonLocation = await PostAsync(http, "/api/admin/configuration/v1/system_location/", new { name = "London", overflow_location1 = burstEu });
            Assert.NotNull(londonLocation);
            await PostAsync(http, "/api/admin/configuration/v1/worker_vm/",
                new { name = "Burst01", system_location = burstEu, node_type = "conferencing", max_audio_calls = 60, cloud_bursting = true });
            await PostAsync(http, "/api/admin/configuration/v1/conference/", new { name = "meet", aliases = new[] { new { alias = "meet" } } });
            var repository = new ConfigurationRepository(london.Silo.Documents);
            var global = await repository.GetGlobalSettingsAsync();
            Assert.True((await repository.UpdateGlobalSettingsAsync(global.Value with
            {
                EnableBurstingToTheCloud = true,
                BurstingThresholdHdCalls = int.Parse(Threshold, CultureInfo.InvariantCulture),
                BurstingMinimumLifetime = MinimumLifetime,
            }, global.Version)).Succeeded);
            await london.Silo.Services.GetRequiredService<ConfigurationView>().RefreshAsync(force: true);

            Task<JoinResult> Dial(string participant) =>
                grains.GetGrain<IParticipantGrain>(participant).Dial(new CallRequest("meet", CallMedia.Video, DisplayName: participant));

            // Two HD calls leave London 3 HD: approaching the threshold (≤ T + 2), nothing starts.
            for (var i = 1; i <= 2; i++) Assert.True((await Dial($"caller-{i}")).Accepted);
            await Eventually.TrueAsync(async () => await MonitoredStateAsync(http) == "approaching_threshold", "London approaching the threshold");
            Assert.Equal(CloudInstanceState.Stopped, (await provider.ListAsync(CancellationToken.None)).Single().State);

            // A third leaves 2 = T: the controller starts Burst01's process, which joins the cluster.
            Assert.True((await Dial("caller-3")).Accepted);
            await Eventually.TrueAsync(async () => (await provider.ListAsync(CancellationToken.None)).Single().State == CloudInstanceState.Running,
                "the Burst01 process to start");
            await Eventually.TrueAsync(async () => await CloudNodeStateAsync(http) == "running", "Burst01 to join and run", timeoutSeconds: 120);

            // More calls: once London has no room, the media goes to Burst01 in the primary overflow location (L2186).
            var onBurst = new List<string>();
            for (var i = 4; i <= 9 && onBurst.Count == 0; i++)
            {
                var result = await Dial($"caller-{i}");
                Assert.True(result.Accepted, $"caller-{i}: {result.Rejection} {result.Message}");
                if (result.MediaNode == "Burst01") onBurst.Add($"caller-{i}");
            }
            Assert.NotEmpty(onBurst);

            // Everyone leaves; Burst01 is idle and is stopped once its minimum lifetime has passed, by SIGTERM.
            for (var i = 1; i <= 9; i++) await grains.GetGrain<IParticipantGrain>($"caller-{i}").Hangup();
            await Eventually.TrueAsync(async () => (await provider.ListAsync(CancellationToken.None)).Single().State == CloudInstanceState.Stopped,
                "Burst01 to be stopped", timeoutSeconds: 120);
            await Eventually.TrueAsync(async () => await CloudNodeStateAsync(http) == "not_running", "Burst01 shown as not running");

            var history = Objects(await GetAsync(http, "/api/admin/history/v1/workervm_status_event/?node=Burst01"))
                .OrderBy(e => e.GetProperty("id").GetString(), StringComparer.Ordinal).ToList();
            Assert.Equal([NodeStatusEvents.Start, NodeStatusEvents.Running, NodeStatusEvents.Stop], history.Select(e => e.GetProperty("event").GetString()));
            Assert.Contains("London", history[0].GetProperty("reason").GetString());
            Assert.Equal(BurstingPolicy.NoLongerNeeded, history[2].GetProperty("reason").GetString());
            Assert.True(history[2].GetProperty("time").GetDateTimeOffset() - history[0].GetProperty("time").GetDateTimeOffset() >= MinimumLifetime,
                "stopped before its minimum lifetime");
        }
        catch (Exception ex) when (ex is TimeoutException or Xunit.Sdk.XunitException)
        {
            var output = string.Join(Environment.NewLine, logs.Entries
                .Where(e => e.Category.Contains("Bursting", StringComparison.Ordinal) || e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning)
                .Select(e => $"{e.Category} {e.Level}: {e.Message}").TakeLast(200));
            throw new Xunit.Sdk.XunitException($"{ex.Message}{Environment.NewLine}--- logs{Environment.NewLine}{output}");
        }
        finally
        {
            (provider as IDisposable)?.Dispose();
        }
    }

    private static JsonElement[] Objects(JsonElement list) => list.GetProperty("objects").EnumerateArray().ToArray();

    private static async Task<JsonElement> GetAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<string> PostAsync(HttpClient http, string path, object body)
    {
        var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("resource_uri").GetString()!;
    }

    private static async Task<string?> MonitoredStateAsync(HttpClient http) =>
        Objects(await GetAsync(http, "/api/admin/status/v1/cloud_monitored_location/?name=London")).SingleOrDefault() is { ValueKind: JsonValueKind.Object } l
            ? l.GetProperty("bursting_state").GetString()
            : null;

    private static async Task<string?> CloudNodeStateAsync(HttpClient http) =>
        Objects(await GetAsync(http, "/api/admin/status/v1/cloud_node/?name=Burst01")).SingleOrDefault() is { ValueKind: JsonValueKind.Object } n
            ? n.GetProperty("state").GetString()
            : null;
}
