using System.Net;

namespace ConferenceCluster.Silo.Tests;

/// <summary>
/// Operators' tools (issue 12 item 8): the Orleans Dashboard is served at /dashboard behind the management API's
/// credentials, and Prometheus scrapes /metrics, which carries Orleans' meters and ours.
/// </summary>
public class ObservabilityTests
{
    [Fact]
    public async Task The_dashboard_asks_for_the_admin_credentials_and_serves_with_them()
    {
        await using var host = await TestSilos.StartAsync(new Dictionary<string, string?> { ["Admin:Password"] = TestSilos.AdminPassword });
        using var anonymous = TestSilos.Http(host);
        using var wrong = TestSilos.Http(host, "admin", "not the password");
        using var admin = TestSilos.Http(host, "admin", TestSilos.AdminPassword);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/dashboard/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/dashboard/ClusterStats")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/dashboard/")).StatusCode);

        var page = await admin.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/dashboard/ClusterStats")).StatusCode);
    }

    [Fact]
    public async Task The_dashboard_can_be_turned_off()
    {
        await using var host = await TestSilos.StartAsync(new Dictionary<string, string?> { ["Admin:Dashboard"] = "false", ["Admin:Password"] = TestSilos.AdminPassword });
        using var admin = TestSilos.Http(host, "admin", TestSilos.AdminPassword);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/dashboard/")).StatusCode);
    }

    [Fact]
    public async Task Metrics_carry_orleans_meters_and_the_conferencing_layers()
    {
        await using var host = await TestSilos.StartAsync(new Dictionary<string, string?> { ["Demo:Enabled"] = "true" });
        using var http = TestSilos.Http(host);
        // A join the conferencing meter counts (a grain call through the dashboard-free path: the status API).
        var join = await host.Silo.GrainFactory.GetGrain<Conferencing.Grains.Interfaces.IParticipantGrain>("metrics-probe")
            .Dial(new Conferencing.Grains.Interfaces.CallRequest("demo", Conferencing.Capacity.CallMedia.Audio));
        Assert.True(join.Accepted);

        string text = "";
        await Eventually.TrueAsync(async () =>
        {
            text = await http.GetStringAsync("/metrics");
            return text.Contains("conferencing_joins_total", StringComparison.Ordinal);
        }, "the conferencing meter on /metrics");
        Assert.Contains("orleans_", text, StringComparison.Ordinal);
        Assert.Contains("outcome=\"accepted\"", text, StringComparison.Ordinal);
    }
}
