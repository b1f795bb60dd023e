using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace ConferenceCluster.Silo.Tests;

/// <summary>The admin API's Basic authentication. The tests only send requests, so the class shares one silo.</summary>
public sealed class AdminAuthenticationTests(AdminAuthenticationTests.OpsSilo silo) : IClassFixture<AdminAuthenticationTests.OpsSilo>
{
    private const string WorkerVm = "/api/admin/status/v1/worker_vm/";
    private SiloHost _host => silo.Host;

    /// <summary>A silo whose admin is <c>ops</c>.</summary>
    public sealed class OpsSilo : IAsyncLifetime
    {
        public SiloHost Host { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Host = await TestSilos.StartAsync(new Dictionary<string, string?>
            {
                ["Admin:Username"] = "ops",
                ["Admin:Password"] = TestSilos.AdminPassword,
            });

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    [Fact]
    public async Task No_credentials_get_401_with_a_basic_challenge_and_a_json_error()
    {
        using var http = TestSilos.Http(_host);

        var response = await http.GetAsync(WorkerVm);

        await AssertChallenged(response);
    }

    [Theory]
    [InlineData("GET", "/api/admin/configuration/v1/system_location/")]
    [InlineData("POST", "/api/admin/configuration/v1/conference/")]
    [InlineData("GET", "/api/admin/status/v1/participant/")]
    [InlineData("GET", "/api/admin/history/v1/conference/")]
    [InlineData("POST", "/api/admin/command/v1/participant/disconnect/")]
    public async Task Every_resource_wants_credentials(string method, string path)
    {
        using var anonymous = TestSilos.Http(_host);
        var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Basic", response.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [InlineData("ops", "wrong password")]
    [InlineData("admin", TestSilos.AdminPassword)]
    [InlineData("ops", "")]
    public async Task Wrong_credentials_get_401(string username, string password)
    {
        using var http = TestSilos.Http(_host, username, password);

        await AssertChallenged(await http.GetAsync(WorkerVm));
    }

    [Theory]
    [InlineData("Bearer abc")]
    [InlineData("Basic not-base64!")]
    [InlineData("Basic b3Bz")] // "ops", no colon
    public async Task Malformed_authorization_headers_get_401(string header)
    {
        using var http = TestSilos.Http(_host);
        using var request = new HttpRequestMessage(HttpMethod.Get, WorkerVm);
        request.Headers.TryAddWithoutValidation("Authorization", header);

        await AssertChallenged(await http.SendAsync(request));
    }

    [Fact]
    public async Task The_configured_credentials_get_200()
    {
        using var http = TestSilos.Http(_host, "ops", TestSilos.AdminPassword);

        var response = await http.GetAsync(WorkerVm);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Paths_under_api_admin_that_serve_nothing_still_require_credentials()
    {
        using var anonymous = TestSilos.Http(_host);
        using var admin = TestSilos.Http(_host, "ops", TestSilos.AdminPassword);

        await AssertChallenged(await anonymous.GetAsync("/api/admin/configuration/v1/nothing/"));
        var authenticated = await admin.GetAsync("/api/admin/configuration/v1/nothing/");

        Assert.Equal(HttpStatusCode.NotFound, authenticated.StatusCode);
        Assert.Equal("not found", (await authenticated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Health_needs_no_credentials()
    {
        using var http = TestSilos.Http(_host);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
    }

    private static async Task AssertChallenged(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(new AuthenticationHeaderValue("Basic", "realm=\"ConferenceCluster\""), Assert.Single(response.Headers.WwwAuthenticate));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetString()));
    }
}
