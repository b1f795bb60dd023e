using System.Diagnostics;

namespace ConferenceCluster.Deploy.Tests;

/// <summary>
/// deploy/local-cluster.sh runs compose.yaml's topology as local processes; deploy/local/render.py turns compose.yaml
/// into their configuration. These check that what it renders is compose's configuration, changed only where one host
/// forces it (addresses, unpublished ports, the PostgreSQL host), so the local cluster proves the compose file.
/// </summary>
public sealed class LocalClusterRenderingTests : IDisposable
{
    private const string DbPassword = "db-secret";
    private const string AdminPassword = "admin-secret";
    private const int LocalPostgresPort = 55462;

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "cc-render-" + Guid.NewGuid().ToString("N")[..10]);

    [Fact]
    public void Every_silo_gets_exactly_composes_environment_except_address_ports_and_database_host()
    {
        var rendered = Render(0);
        Assert.True(rendered.ExitCode == 0, rendered.Error);
        ComposeChecker.Check(DeployFiles.Read("compose.yaml"), DeployFiles.TryRead, out var silos);
        var rewritten = new HashSet<string>(StringComparer.Ordinal)
        {
            "Silo__AdvertisedAddress", "Silo__Ports__Silo", "Silo__Ports__Gateway", "Silo__Ports__Http", "Silo__Ports__Sip", "Cluster__ConnectionString",
        };
        var allPorts = new List<(string Silo, int Port)>();
        foreach (var silo in silos)
        {
            var local = Environment(silo.Service);
            var compose = silo.Env.ToDictionary(e => e.Key, e => Interpolate(e.Value.Value ?? ""), StringComparer.Ordinal);
            Assert.Equal(compose.Keys.Union(rewritten).Order(StringComparer.Ordinal), local.Keys.Order(StringComparer.Ordinal));
            foreach (var (key, value) in compose.Where(e => !rewritten.Contains(e.Key)))
                Assert.True(local[key] == value, $"{silo.Service}: {key} is '{local[key]}' locally but '{value}' in compose.yaml");

            Assert.Equal("127.0.0.1", local["Silo__AdvertisedAddress"]);
            Assert.Equal(compose["Cluster__ConnectionString"].Replace("Host=postgres", $"Host=127.0.0.1;Port={LocalPostgresPort}", StringComparison.Ordinal),
                local["Cluster__ConnectionString"]);
            // The local environment is one the silo accepts, as the compose one is.
            var problems = new List<string>();
            var ports = SiloEnvironment.Check($"local {silo.Service}", local.ToDictionary(e => e.Key, e => new EnvValue(e.Value)), problems);
            Assert.Empty(problems);
            Assert.Equal((silo.Ports!.MediaFirst, silo.Ports.MediaLast), (ports!.MediaFirst, ports.MediaLast));
            allPorts.AddRange(new[] { ports.Silo, ports.Gateway, ports.Http, ports.Sip }.Select(p => (silo.Service, p)));
        }
        Assert.Equal(5, silos.Count);
        // One host: no two silos on one port; HTTP on the host ports compose publishes (8081-8085).
        foreach (var clash in allPorts.GroupBy(p => p.Port).Where(g => g.Count() > 1))
            Assert.Fail($"port {clash.Key} is used by {string.Join(", ", clash.Select(c => c.Silo))}");
        Assert.Equal(["8081", "8082", "8083", "8084", "8085"], silos.Select(s => Environment(s.Service)["Silo__Ports__Http"]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Each_kamailio_gets_composes_config_and_its_locations_silos_on_their_local_sip_ports()
    {
        var rendered = Render(0);
        Assert.True(rendered.ExitCode == 0, rendered.Error);
        ComposeChecker.Check(DeployFiles.Read("compose.yaml"), DeployFiles.TryRead, out var silos);
        var config = DeployFiles.Read("kamailio/kamailio.cfg").Split('\n');
        foreach (var (location, frontDoor) in new[] { ("london", 5060), ("paris", 5062) })
        {
            var directory = Path.Combine(_dataDirectory, $"kamailio-{location}");
            var list = File.ReadAllText(Path.Combine(directory, "dispatcher.list"));
            var expected = silos.Where(s => s.Location == location && s.Role == "transcoding")
                .Select(s => $"1 sip:127.0.0.1:{Environment(s.Service)["Silo__Ports__Sip"]} 0 0 duid={s.Service}").Order(StringComparer.Ordinal);
            Assert.Equal(expected, list.Split('\n').Where(l => l.StartsWith("1 ", StringComparison.Ordinal)).Order(StringComparer.Ordinal));

            // Line for line compose's kamailio.cfg, but for the listeners, the list file and kamcmd's control socket.
            var local = File.ReadAllText(Path.Combine(directory, "kamailio.cfg")).TrimEnd('\n').Split('\n');
            var added = local.Except(config).ToList();
            Assert.Equal(
            [
                $"listen=udp:127.0.0.1:{frontDoor}", $"listen=tcp:127.0.0.1:{frontDoor}", "loadmodule \"ctl.so\"",
                $"modparam(\"ctl\", \"binrpc\", \"unix:{Path.Combine(directory, "kamailio.ctl")}\")",
                $"modparam(\"dispatcher\", \"list_file\", \"{Path.Combine(directory, "dispatcher.list")}\")",
            ], added);
            Assert.Equal(3, config.Except(local).Count()); // the two 0.0.0.0 listeners and the container's list path
        }
    }

    [Fact]
    public void The_schema_step_gets_composes_environment_with_the_local_database_and_runs_before_the_silos()
    {
        var rendered = Render(0);
        Assert.True(rendered.ExitCode == 0, rendered.Error);
        var compose = Yaml.Load(DeployFiles.Read("compose.yaml")).Map("services")!;
        var migrate = compose.Single(s => ComposeChecker.IsMigration(s.Value as Dictionary<object, object>));
        var expected = ComposeChecker.Environment(migrate.Value as Dictionary<object, object>).ToDictionary(e => e.Key, e => Interpolate(e.Value.Value ?? ""), StringComparer.Ordinal);
        expected["Cluster__ConnectionString"] = expected["Cluster__ConnectionString"].Replace("Host=postgres", $"Host=127.0.0.1;Port={LocalPostgresPort}", StringComparison.Ordinal);
        var local = File.ReadAllLines(Path.Combine(_dataDirectory, (string)migrate.Key, "migrate.environment"))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), local.OrderBy(e => e.Key, StringComparer.Ordinal));
        // The plan runs it, and it is no silo.
        Assert.Contains($"MIGRATIONS=({migrate.Key})", rendered.Output, StringComparison.Ordinal);
        Assert.DoesNotContain((string)migrate.Key, rendered.Output.Split('\n').Single(l => l.StartsWith("SILOS=", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_port_offset_moves_every_port_media_ranges_included()
    {
        var rendered = Render(1000);
        Assert.True(rendered.ExitCode == 0, rendered.Error);
        var london1 = Environment("london1");
        Assert.Equal("9081", london1["Silo__Ports__Http"]);
        Assert.Equal("41000-41999", london1["Silo__Ports__MediaRange"]);
        Assert.Contains($"Port={LocalPostgresPort + 1000}", london1["Cluster__ConnectionString"], StringComparison.Ordinal);
        Assert.Contains("listen=udp:127.0.0.1:6060", File.ReadAllText(Path.Combine(_dataDirectory, "kamailio-london", "kamailio.cfg")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_password_stops_the_rendering_naming_the_variable()
    {
        var rendered = Render(0, withPasswords: false);
        Assert.Equal(2, rendered.ExitCode);
        Assert.Contains("CC_DB_PASSWORD", rendered.Error, StringComparison.Ordinal);
    }

    private static string Interpolate(string value) => System.Text.RegularExpressions.Regex.Replace(value, @"\$\{(\w+)[^}]*\}",
        m => m.Groups[1].Value switch { "CC_DB_PASSWORD" => DbPassword, "CC_ADMIN_PASSWORD" => AdminPassword, var other => throw new InvalidDataException(other) });

    private Dictionary<string, string> Environment(string silo) =>
        File.ReadAllLines(Path.Combine(_dataDirectory, silo, "environment")).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    private (int ExitCode, string Output, string Error) Render(int portOffset, bool withPasswords = true)
    {
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(DeployFiles.Deploy, "local", "render.py"), "plan", Path.Combine(DeployFiles.Deploy, "compose.yaml"), _dataDirectory, portOffset.ToString() })
            start.ArgumentList.Add(argument);
        start.Environment.Remove("CC_DB_PASSWORD");
        start.Environment.Remove("CC_ADMIN_PASSWORD");
        if (withPasswords)
        {
            start.Environment["CC_DB_PASSWORD"] = DbPassword;
            start.Environment["CC_ADMIN_PASSWORD"] = AdminPassword;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "render.py did not finish within 30 s (is python3-yaml installed?)");
        return (process.ExitCode, output.Result, error.Result);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory)) Directory.Delete(_dataDirectory, recursive: true);
    }
}
