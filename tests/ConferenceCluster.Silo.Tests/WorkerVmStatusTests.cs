using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ConferenceCluster.Silo.Tests;

/// <summary>
/// Three silos of one cluster (a, b in London; c, a proxying edge, in Oslo), asked through the last one. The tests only
/// read, so the class starts the three once (<see cref="ThreeSilos"/>).
/// </summary>
public sealed class WorkerVmStatusTests(WorkerVmStatusTests.ThreeSilos silos) : IClassFixture<WorkerVmStatusTests.ThreeSilos>
{
    private const string WorkerVm = "/api/admin/status/v1/worker_vm/";
    private IReadOnlyList<SiloHost> _hosts => silos.Hosts;
    private HttpClient _http => silos.Http;

    public sealed class ThreeSilos : IAsyncLifetime
    {
        private readonly List<SiloHost> _hosts = [];

        public IReadOnlyList<SiloHost> Hosts => _hosts;

        public HttpClient Http { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var cluster = TestSilos.PostgresCluster("worker-vm");
            foreach (var (name, location, role) in new[] { ("a", "London", "transcoding"), ("b", "London", "transcoding"), ("c", "Oslo", "proxying") })
            {
                _hosts.Add(await TestSilos.StartAsync(cluster.With(new Dictionary<string, string?>
                {
                    ["Silo:Name"] = name,
                    ["Silo:Location"] = location,
                    ["Silo:Role"] = role,
                    ["Admin:Password"] = TestSilos.AdminPassword,
                })));
            }
            var asked = _hosts[^1];
            await Eventually.TrueAsync(() => asked.ActiveSilos() == 3, "the last silo to see all three active");
            Http = TestSilos.Http(asked, "admin", TestSilos.AdminPassword);
        }

        public async Task DisposeAsync()
        {
            Http?.Dispose();
            foreach (var host in _hosts)
                await host.DisposeAsync();
        }
    }

    private async Task<JsonElement> GetJson(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await _http.GetAsync(path);
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string[] Names(JsonElement list) =>
        list.GetProperty("objects").EnumerateArray().Select(o => o.GetProperty("name").GetString()!).ToArray();

    [Fact]
    public async Task Lists_the_active_silos_in_pexips_shape()
    {
        var list = await GetJson(WorkerVm);

        var meta = list.GetProperty("meta");
        Assert.Equal(["limit", "next", "offset", "previous", "total_count"], meta.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(20, meta.GetProperty("limit").GetInt32());
        Assert.Equal(0, meta.GetProperty("offset").GetInt32());
        Assert.Equal(3, meta.GetProperty("total_count").GetInt32());
        Assert.Equal(JsonValueKind.Null, meta.GetProperty("next").ValueKind);
        Assert.Equal(JsonValueKind.Null, meta.GetProperty("previous").ValueKind);
        Assert.Equal(["a", "b", "c"], Names(list));

        var c = list.GetProperty("objects")[2];
        Assert.Equal("c", c.GetProperty("id").GetString());
        Assert.Equal("Oslo", c.GetProperty("system_location").GetString());
        Assert.Equal("proxying", c.GetProperty("node_type").GetString());
        Assert.Equal("proxying", c.GetProperty("role").GetString());
        Assert.Equal("127.0.0.1", c.GetProperty("address").GetString());
        Assert.Equal("active", c.GetProperty("status").GetString());
        Assert.Equal(_hosts[2].HttpPort, c.GetProperty("http_port").GetInt32());
        Assert.Equal("/api/admin/status/v1/worker_vm/c/", c.GetProperty("resource_uri").GetString());
        Assert.Equal("conferencing", list.GetProperty("objects")[0].GetProperty("node_type").GetString());
    }

    [Fact]
    public async Task Pages_with_limit_and_offset_and_links_the_neighbouring_pages()
    {
        var first = await GetJson(WorkerVm + "?limit=1");
        var middle = await GetJson(WorkerVm + "?limit=1&offset=1");
        var past = await GetJson(WorkerVm + "?offset=5");

        Assert.Equal(["a"], Names(first));
        Assert.Equal(3, first.GetProperty("meta").GetProperty("total_count").GetInt32());
        Assert.Equal(WorkerVm + "?limit=1&offset=1", first.GetProperty("meta").GetProperty("next").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("meta").GetProperty("previous").ValueKind);
        Assert.Equal(["b"], Names(middle));
        Assert.Equal(WorkerVm + "?limit=1&offset=2", middle.GetProperty("meta").GetProperty("next").GetString());
        Assert.Equal(WorkerVm + "?limit=1&offset=0", middle.GetProperty("meta").GetProperty("previous").GetString());
        Assert.Empty(Names(past));
    }

    [Fact]
    public async Task Filters_on_fields_and_keeps_filters_in_page_links()
    {
        var byName = await GetJson(WorkerVm + "?name=b");
        var london = await GetJson(WorkerVm + "?system_location=London&limit=1");
        var nobody = await GetJson(WorkerVm + "?name=zzz");

        Assert.Equal(["b"], Names(byName));
        Assert.Equal(1, byName.GetProperty("meta").GetProperty("total_count").GetInt32());
        Assert.Equal(["a"], Names(london));
        Assert.Equal(2, london.GetProperty("meta").GetProperty("total_count").GetInt32());
        Assert.Equal(WorkerVm + "?system_location=London&limit=1&offset=1", london.GetProperty("meta").GetProperty("next").GetString());
        Assert.Equal(0, nobody.GetProperty("meta").GetProperty("total_count").GetInt32());
    }

    [Theory]
    [InlineData("?limit=-1", "limit")]
    [InlineData("?limit=ten", "limit")]
    [InlineData("?offset=x", "offset")]
    [InlineData("?colour=red", "colour")]
    [InlineData("?name=a&name=b", "name")]
    [InlineData("?format=xml", "format")]
    public async Task Bad_query_parameters_get_400_naming_the_field(string query, string field)
    {
        var error = await GetJson(WorkerVm + query, HttpStatusCode.BadRequest);

        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task Shows_one_silo_by_id_and_404s_an_unknown_one()
    {
        var b = await GetJson(WorkerVm + "b/");
        var unknown = await GetJson(WorkerVm + "nope/", HttpStatusCode.NotFound);

        Assert.Equal("b", b.GetProperty("name").GetString());
        Assert.Equal("id", unknown.GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_wrong_method_gets_405_with_a_json_error()
    {
        var response = await _http.DeleteAsync(WorkerVm);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("method not allowed", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }
}
