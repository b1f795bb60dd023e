using System.Text.RegularExpressions;

namespace ConferenceCluster.Deploy.Tests;

/// <summary>Checks deploy/compose.yaml: its silos, the schema step before them, PostgreSQL, and the Kamailio dispatchers with their lists.</summary>
public static partial class ComposeChecker
{
    public const string DispatcherListMount = "/etc/kamailio/dispatcher.list";
    public const string KamailioConfigMount = "/etc/kamailio/kamailio.cfg";

    public sealed record Silo(string Service, IReadOnlyDictionary<string, EnvValue> Env, SiloPorts? Ports, string? Ipv4)
    {
        public string? Location => SiloEnvironment.Value(Env, "Silo__Location");
        public string Role => SiloEnvironment.Value(Env, "Silo__Role") ?? "transcoding";
    }

    private sealed record Publish(string Service, string Protocol, (int First, int Last)? Host, (int First, int Last) Container);

    /// <param name="composeText">compose.yaml.</param>
    /// <param name="readDeployFile">Reads a file the compose file names, relative to its directory (null if absent).</param>
    public static List<string> Check(string composeText, Func<string, string?> readDeployFile) => Check(composeText, readDeployFile, out _);

    public static List<string> Check(string composeText, Func<string, string?> readDeployFile, out List<Silo> silos)
    {
        var problems = new List<string>();
        silos = [];
        var document = Yaml.Load(composeText);
        var services = document.Map("services");
        if (services is null)
        {
            problems.Add("compose.yaml: no services");
            return problems;
        }

        var publishes = new List<Publish>();
        var postgres = services.Where(s => (s.Value as Dictionary<object, object>).Str("image")?.StartsWith("postgres", StringComparison.Ordinal) ?? false)
            .Select(s => (string)s.Key).ToList();
        if (postgres.Count != 1)
            problems.Add($"compose.yaml: expected one PostgreSQL service (official postgres image), found {postgres.Count}");
        else
            CheckPostgres(document, postgres[0], services.Map(postgres[0])!, problems);

        var migrations = services.Where(s => IsMigration(s.Value as Dictionary<object, object>)).Select(s => (string)s.Key).ToList();
        if (migrations.Count != 1)
            problems.Add($"compose.yaml: expected one schema step (the silo image with command [\"--migrate\"]), found {migrations.Count}");
        else
            CheckMigration(migrations[0], services.Map(migrations[0])!, postgres, problems);

        foreach (var (key, value) in services)
        {
            var name = (string)key;
            var service = value as Dictionary<object, object>;
            publishes.AddRange(Published(name, service, problems));
            if (!IsSilo(service)) continue;
            var source = $"compose.yaml: {name}";
            var env = Environment(service);
            var ports = SiloEnvironment.Check(source, env, problems);
            var ipv4 = service.Map("networks")?.Values.OfType<Dictionary<object, object>>().Select(n => n.Str("ipv4_address")).FirstOrDefault(a => a is not null);
            silos.Add(new Silo(name, env, ports, ipv4));

            var advertised = SiloEnvironment.Value(env, "Silo__AdvertisedAddress");
            if (advertised is not null && advertised != ipv4 && advertised != name)
                problems.Add($"{source}: Silo__AdvertisedAddress '{advertised}' is neither its network address ({ipv4 ?? "none fixed"}) nor its service name");
            if (postgres.Count == 1 && (service.Map("depends_on").Map(postgres[0]).Str("condition") != "service_healthy"))
                problems.Add($"{source}: must depend on {postgres[0]} with condition service_healthy");
            if (migrations.Count == 1 && (service.Map("depends_on").Map(migrations[0]).Str("condition") != "service_completed_successfully"))
                problems.Add($"{source}: must depend on {migrations[0]} with condition service_completed_successfully (the schema first)");
            if (ports is not null)
                CheckSiloPorts(source, name, service!, ports, publishes, problems);
            if (ports is not null && service.Map("healthcheck") is { } healthcheck)
            {
                var test = healthcheck.GetValueOrDefault("test") is List<object> words ? string.Join(' ', words) : healthcheck.Str("test") ?? "";
                if (!test.Contains("/health", StringComparison.Ordinal)
                    || !(test.Contains($":{ports.Http}/", StringComparison.Ordinal) || test.Contains("{Silo__Ports__Http}", StringComparison.Ordinal)))
                    problems.Add($"{source}: its healthcheck must ask /health on Silo__Ports__Http ({ports.Http})");
            }
        }
        if (silos.Count == 0)
            problems.Add("compose.yaml: no silo services (build: .. or image conferencecluster:...)");
        foreach (var clash in silos.GroupBy(s => SiloEnvironment.Value(s.Env, "Silo__Name"), StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            problems.Add($"compose.yaml: Silo__Name '{clash.Key}' is used by {string.Join(", ", clash.Select(s => s.Service))}");

        CheckHostPortClashes(publishes, problems);
        CheckDispatchers(services, silos, readDeployFile, problems);
        return problems;
    }

    public static bool IsSilo(Dictionary<object, object>? service) => IsSiloImage(service) && !IsMigration(service);

    /// <summary>The schema step: the silo image run with <c>--migrate</c> (it applies the cluster schema and exits).</summary>
    public static bool IsMigration(Dictionary<object, object>? service) =>
        IsSiloImage(service) && (service!.Seq("command").Any(c => c?.ToString() == "--migrate") || (service.Str("command")?.Contains("--migrate", StringComparison.Ordinal) ?? false));

    private static bool IsSiloImage(Dictionary<object, object>? service) =>
        service is not null
        && ((service.TryGetValue("build", out var build) && (build as string ?? (build as Dictionary<object, object>).Str("context"))?.TrimEnd('/') == "..")
            || (service.Str("image")?.StartsWith("conferencecluster:", StringComparison.Ordinal) ?? false));

    /// <summary>A configuration the silo accepts for PostgreSQL, after PostgreSQL is healthy, run once (not restarted).</summary>
    private static void CheckMigration(string name, Dictionary<object, object> service, List<string> postgres, List<string> problems)
    {
        var source = $"compose.yaml: {name}";
        SiloEnvironment.CheckMigration(source, Environment(service), problems);
        if (postgres.Count == 1 && service.Map("depends_on").Map(postgres[0]).Str("condition") != "service_healthy")
            problems.Add($"{source}: must depend on {postgres[0]} with condition service_healthy");
        if (service.Str("restart") is { } restart && restart is not ("no" or "on-failure"))
            problems.Add($"{source}: restart '{restart}' would run the schema step again and again; use \"no\" or on-failure");
        if (service.Seq("ports").Count > 0)
            problems.Add($"{source}: the schema step publishes no ports");
    }

    /// <summary>A service's environment, in mapping or <c>KEY=value</c> list form.</summary>
    public static Dictionary<string, EnvValue> Environment(Dictionary<object, object>? service)
    {
        var env = new Dictionary<string, EnvValue>(StringComparer.Ordinal);
        if (service is null || !service.TryGetValue("environment", out var raw)) return env;
        if (raw is Dictionary<object, object> map)
        {
            foreach (var (k, v) in map) env[(string)k] = new EnvValue(v as string ?? "");
        }
        else if (raw is List<object> list)
        {
            foreach (var item in list.OfType<string>())
            {
                var eq = item.IndexOf('=', StringComparison.Ordinal);
                env[eq < 0 ? item : item[..eq]] = new EnvValue(eq < 0 ? null : item[(eq + 1)..]);
            }
        }
        return env;
    }

    private static void CheckPostgres(Dictionary<object, object> document, string name, Dictionary<object, object> service, List<string> problems)
    {
        if (service.Map("healthcheck")?.ContainsKey("test") != true)
            problems.Add($"compose.yaml: {name} needs a healthcheck (the silos wait for service_healthy)");
        var named = document.Map("volumes")?.Keys.OfType<string>().ToHashSet() ?? [];
        if (!service.Seq("volumes").OfType<string>().Any(v => named.Contains(v.Split(':')[0])))
            problems.Add($"compose.yaml: {name} must keep its data in a named volume (top-level volumes:)");
    }

    private static void CheckSiloPorts(string source, string name, Dictionary<object, object> service, SiloPorts ports, List<Publish> publishes, List<string> problems)
    {
        var listening = new HashSet<(int, string)>
        {
            (ports.Silo, "tcp"), (ports.Gateway, "tcp"), (ports.Http, "tcp"), (ports.Sip, "udp"), (ports.Sip, "tcp"),
        };
        var exposed = new HashSet<(int, string)>();
        foreach (var entry in service.Seq("expose").Select(e => e?.ToString() ?? ""))
        {
            var (number, protocol) = SplitProtocol(entry);
            if (SiloEnvironment.ParseRange(number) is { } range)
                for (var p = range.First; p <= range.Last && p - range.First < 100; p++) exposed.Add((p, protocol));
        }
        foreach (var publish in publishes.Where(p => p.Service == name))
        {
            if (publish.Container.First == publish.Container.Last)
                exposed.Add((publish.Container.First, publish.Protocol));
            var media = publish.Protocol == "udp" && (ports.InMedia(publish.Container.First) || ports.InMedia(publish.Container.Last));
            if (media)
            {
                // The silo writes its own port numbers into the SDP, so the host must publish the same numbers.
                if (publish.Container != (ports.MediaFirst, ports.MediaLast) || (publish.Host is { } host && host != publish.Container))
                    problems.Add($"{source}: publishes media {Text(publish.Host)}:{Text(publish.Container)}/udp, but Silo__Ports__MediaRange is {ports.MediaFirst}-{ports.MediaLast} (publish it whole, on the same numbers)");
            }
            else if (publish.Container.First != publish.Container.Last || !listening.Contains((publish.Container.First, publish.Protocol)))
            {
                problems.Add($"{source}: publishes container port {Text(publish.Container)}/{publish.Protocol}, which is none of its Silo__Ports__* ({ports.Silo}, {ports.Gateway}, {ports.Http}, SIP {ports.Sip} udp+tcp)");
            }
        }
        foreach (var (port, protocol) in listening.Where(l => !exposed.Contains(l)).OrderBy(l => l.Item1))
            problems.Add($"{source}: port {port}/{protocol} (from Silo__Ports__*) is neither exposed nor published");
    }

    private static IEnumerable<Publish> Published(string name, Dictionary<object, object>? service, List<string> problems)
    {
        foreach (var entry in service.Seq("ports"))
        {
            if (entry is not string text)
            {
                problems.Add($"compose.yaml: {name}: use the short ports syntax (\"host:container/protocol\")");
                continue;
            }
            var (mapping, protocol) = SplitProtocol(text);
            var parts = mapping.Split(':');
            var container = SiloEnvironment.ParseRange(parts[^1]);
            var host = parts.Length >= 2 ? SiloEnvironment.ParseRange(parts[^2]) : null;
            if (container is null || (parts.Length >= 2 && host is null))
            {
                problems.Add($"compose.yaml: {name}: cannot read port mapping '{text}'");
                continue;
            }
            yield return new Publish(name, protocol, host, container.Value);
        }
    }

    private static void CheckHostPortClashes(List<Publish> publishes, List<string> problems)
    {
        var fixedHost = publishes.Where(p => p.Host is not null).ToList();
        for (var i = 0; i < fixedHost.Count; i++)
        for (var j = i + 1; j < fixedHost.Count; j++)
        {
            var (a, b) = (fixedHost[i], fixedHost[j]);
            if (a.Protocol == b.Protocol && a.Host!.Value.First <= b.Host!.Value.Last && b.Host.Value.First <= a.Host.Value.Last)
                problems.Add($"compose.yaml: host ports {Text(a.Host)}/{a.Protocol} ({a.Service}) and {Text(b.Host)}/{b.Protocol} ({b.Service}) overlap");
        }
    }

    private static void CheckDispatchers(Dictionary<object, object> services, List<Silo> silos, Func<string, string?> readDeployFile, List<string> problems)
    {
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in services)
        {
            var name = (string)key;
            var mounts = (value as Dictionary<object, object>).Seq("volumes").OfType<string>()
                .Select(v => v.Split(':')).Where(p => p.Length >= 2).ToDictionary(p => p[1], p => p[0]);
            if (!mounts.TryGetValue(DispatcherListMount, out var listPath)) continue;
            var source = $"compose.yaml: {name}";
            if (DispatcherListName().Match(listPath) is not { Success: true } match)
            {
                problems.Add($"{source}: the dispatcher list {listPath} is not named dispatcher-<location>.list");
                continue;
            }
            var location = match.Groups[1].Value;
            covered.Add(location);
            if (name != $"kamailio-{location}")
                problems.Add($"{source}: dispatches location {location}, so should be called kamailio-{location}");
            if (readDeployFile(listPath) is not { } list)
            {
                problems.Add($"{source}: {listPath} does not exist");
                continue;
            }
            problems.AddRange(CheckDispatcherList($"{listPath.TrimStart('.', '/')}", list, location, silos));

            if (!mounts.TryGetValue(KamailioConfigMount, out var configPath) || readDeployFile(configPath) is not { } config)
                problems.Add($"{source}: mounts no kamailio.cfg at {KamailioConfigMount}");
            else
                problems.AddRange(CheckKamailioConfig(configPath.TrimStart('.', '/'), config));
        }
        foreach (var location in silos.Where(s => s.Role == "transcoding" && s.Location is not null).Select(s => s.Location!).Distinct().Where(l => !covered.Contains(l)))
            problems.Add($"compose.yaml: location {location} has transcoding silos but no Kamailio dispatcher (kamailio-{location})");
    }

    /// <summary>Every destination is a silo of <paramref name="location"/> on its SIP port, and every transcoding silo of the location is listed.</summary>
    public static List<string> CheckDispatcherList(string source, string list, string location, IReadOnlyList<Silo> silos)
    {
        var problems = new List<string>();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in list.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || DestinationPattern().Match(fields[1]) is not { Success: true } destination)
            {
                problems.Add($"{source}: cannot read '{line}' (setid sip:host:port ...)");
                continue;
            }
            var host = destination.Groups["host"].Value;
            var port = destination.Groups["port"].Success ? int.Parse(destination.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture) : 5060;
            var silo = silos.FirstOrDefault(s => s.Ipv4 == host || s.Service == host || SiloEnvironment.Value(s.Env, "Silo__AdvertisedAddress") == host);
            if (silo is null)
            {
                problems.Add($"{source}: {fields[1]} is no silo of compose.yaml");
                continue;
            }
            listed.Add(silo.Service);
            if (silo.Location != location)
                problems.Add($"{source}: {fields[1]} is {silo.Service} of location {silo.Location}, not {location}");
            if (silo.Ports is { } ports && ports.Sip != port)
                problems.Add($"{source}: {fields[1]} uses port {port}, but {silo.Service} has Silo__Ports__Sip {ports.Sip}");
        }
        foreach (var missing in silos.Where(s => s.Location == location && s.Role == "transcoding" && !listed.Contains(s.Service)))
            problems.Add($"{source}: {missing.Service} of location {location} is missing");
        return problems;
    }

    /// <summary>The dispatcher essentials of kamailio.cfg (issue 8): OPTIONS probing, failover, record-route, the list it reads.</summary>
    public static List<string> CheckKamailioConfig(string source, string config)
    {
        var code = string.Join('\n', config.Split('\n').Select(l => l.TrimStart()).Where(l => !l.StartsWith('#') || l.StartsWith("#!", StringComparison.Ordinal)));
        var problems = new List<string>();
        string[] required =
        [
            "loadmodule \"dispatcher.so\"", "loadmodule \"rr.so\"", "loadmodule \"tm.so\"",
            $"modparam(\"dispatcher\", \"list_file\", \"{DispatcherListMount}\")",
            "modparam(\"dispatcher\", \"ds_ping_method\", \"OPTIONS\")",
            "modparam(\"dispatcher\", \"ds_ping_interval\",", "modparam(\"dispatcher\", \"ds_probing_mode\", 1)",
            "ds_select_dst(", "ds_next_dst()", "t_on_failure(", "record_route()", "loose_route()", "t_check_status(\"5[0-9][0-9]\")",
            "t_branch_timeout()",
        ];
        foreach (var text in required.Where(r => !code.Contains(r, StringComparison.Ordinal)))
            problems.Add($"{source}: missing {text}");
        return problems;
    }

    private static (string Number, string Protocol) SplitProtocol(string entry)
    {
        var slash = entry.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (entry, "tcp") : (entry[..slash], entry[(slash + 1)..].ToLowerInvariant());
    }

    private static string Text((int First, int Last)? range) =>
        range is not { } r ? "*" : r.First == r.Last ? $"{r.First}" : $"{r.First}-{r.Last}";

    [GeneratedRegex(@"dispatcher-([A-Za-z0-9._-]+)\.list$")]
    private static partial Regex DispatcherListName();

    [GeneratedRegex(@"^sips?:(?<host>[^:;>\s]+)(:(?<port>\d+))?")]
    private static partial Regex DestinationPattern();
}
