using System.Globalization;

namespace ConferenceCluster.Deploy.Tests;

/// <summary>
/// Checks the manifests of deploy/kubernetes/: every StatefulSet's silo container against the silo's keys and ports, its
/// schema step (an init container running <c>--migrate</c>), and what Orleans' Kubernetes hosting needs (the pod labels
/// it selects the cluster's pods by, and a service account allowed to read, watch and label pods).
/// </summary>
public static class KubernetesChecker
{
    public const string ReadinessPath = "/health/ready";
    public const string LivenessPath = "/health/live";
    public const string LocationLabel = "conferencecluster/location";
    /// <summary>Orleans' Kubernetes hosting selects the cluster's pods by these labels (KubernetesHostingOptions).</summary>
    public const string OrleansClusterIdLabel = "orleans/clusterId";
    public const string OrleansServiceIdLabel = "orleans/serviceId";
    /// <summary>What Orleans' KubernetesClusterAgent does with pods: read its own, patch its labels, list and watch the cluster's.</summary>
    public static readonly string[] OrleansHostingPodVerbs = ["get", "list", "watch", "patch"];

    private sealed record Resource(string File, string Kind, string Name, Dictionary<object, object> Document);

    private sealed record ContainerPort(string? Name, int Number, string Protocol);

    public static List<string> Check(IEnumerable<(string File, string Text)> files) => Check(files, out _);

    /// <param name="locations">The location (Silo__Location) of each StatefulSet, by its name.</param>
    public static List<string> Check(IEnumerable<(string File, string Text)> files, out Dictionary<string, string?> locations)
    {
        var problems = new List<string>();
        locations = [];
        var resources = new List<Resource>();
        foreach (var (file, text) in files)
        {
            foreach (var document in Yaml.LoadAll(text))
            {
                var kind = document.Str("kind");
                var name = document.Map("metadata").Str("name");
                if (kind is null || name is null)
                    problems.Add($"{file}: a document without kind or metadata.name");
                else
                    resources.Add(new Resource(file, kind, name, document));
            }
        }
        var configMaps = resources.Where(r => r.Kind == "ConfigMap").ToDictionary(r => r.Name, r => r.Document.Map("data"));
        var statefulSets = resources.Where(r => r.Kind == "StatefulSet").ToList();
        if (statefulSets.Count == 0)
            problems.Add("kubernetes: no StatefulSet");

        foreach (var set in statefulSets)
        {
            var source = $"{set.File}: StatefulSet {set.Name}";
            var spec = set.Document.Map("spec");
            var template = spec.Map("template");
            var labels = Labels(template.Map("metadata").Map("labels"));
            var podSpec = template.Map("spec");
            var silos = podSpec.Seq("containers").Maps().Where(c => c.Str("image")?.StartsWith("conferencecluster", StringComparison.Ordinal) ?? false).ToList();
            if (silos.Count == 0)
                problems.Add($"{source}: no silo container (image conferencecluster...)");
            foreach (var container in silos)
            {
                var csource = $"{source}, container {container.Str("name")}";
                var env = Environment(csource, container, configMaps, problems);
                var ports = SiloEnvironment.Check(csource, env, problems);
                CheckDownwardApiAndSecrets(csource, env, problems);
                var location = SiloEnvironment.Value(env, "Silo__Location");
                locations[set.Name] = location;
                if (labels.TryGetValue(LocationLabel, out var labelled) && labelled != location)
                    problems.Add($"{csource}: Silo__Location '{location}' differs from the pod label {LocationLabel}={labelled}");
                var containerPorts = ContainerPorts(container);
                if (ports is not null)
                {
                    CheckContainerPorts(csource, containerPorts, ports, problems);
                    CheckProbes(csource, container, containerPorts, ports, problems);
                }
                CheckDrain(csource, podSpec, container, env, problems);
                CheckService(source, spec.Str("serviceName"), resources, labels, containerPorts, ports?.Sip, problems);
                CheckOrleansHosting(source, SiloEnvironment.Value(env, "Cluster__Id"), labels, podSpec, resources, problems);
                // The kubelet sets KUBERNETES_SERVICE_HOST in every pod; the rest must come from the manifest.
                if (!Silo.Hosting.KubernetesPod.IsOrleansPod(name => name == Silo.Hosting.KubernetesPod.ServiceHostVariable ? "10.96.0.1"
                        : SiloEnvironment.Get(env, name) is { FieldPath: { } field } ? field : null))
                    problems.Add($"{csource}: the silo would not turn Orleans' Kubernetes hosting on: set {Silo.Hosting.KubernetesPod.PodNameVariable} and " +
                                 $"{Silo.Hosting.KubernetesPod.PodNamespaceVariable} from the downward API");
                if (SiloEnvironment.Get(env, Silo.Hosting.KubernetesPod.PodNameVariable)?.FieldPath is { } podName && podName != "metadata.name")
                    problems.Add($"{csource}: POD_NAME must come from metadata.name (Orleans' hosting matches pods to silos by it), not {podName}");
            }
            CheckMigration(source, podSpec, configMaps, problems);
            if (!resources.Any(r => r.Kind == "PodDisruptionBudget" && Selects(r.Document.Map("spec").Map("selector"), labels)))
                problems.Add($"{source}: no PodDisruptionBudget selects its pods");
        }
        return problems;
    }

    /// <summary>The schema step: an init container of the silo image that runs <c>--migrate</c> with a configuration the silo accepts.</summary>
    private static void CheckMigration(string source, Dictionary<object, object>? podSpec, Dictionary<string, Dictionary<object, object>?> configMaps,
        List<string> problems)
    {
        var migrations = podSpec.Seq("initContainers").Maps()
            .Where(c => (c.Str("image")?.StartsWith("conferencecluster", StringComparison.Ordinal) ?? false)
                        && c.Seq("args").Concat(c.Seq("command")).Any(a => a?.ToString() == "--migrate"))
            .ToList();
        if (migrations.Count != 1)
        {
            problems.Add($"{source}: needs one init container of the silo image with args [\"--migrate\"] (the cluster schema), found {migrations.Count}");
            return;
        }
        var csource = $"{source}, init container {migrations[0].Str("name")}";
        var env = Environment(csource, migrations[0], configMaps, problems);
        SiloEnvironment.CheckMigration(csource, env, problems);
        foreach (var secret in new[] { "Cluster__ConnectionString" }.Where(k => SiloEnvironment.Get(env, k) is { SecretKey: null }))
            problems.Add($"{csource}: {secret} must come from a Secret (secretKeyRef), not a literal or ConfigMap");
    }

    /// <summary>
    /// Orleans' Kubernetes hosting (on in every pod): the pods carry the labels it selects the cluster by, with the values
    /// the silo uses (ServiceId is the cluster id), and run as an account that a RoleBinding lets read, watch and label pods.
    /// </summary>
    private static void CheckOrleansHosting(string source, string? clusterId, Dictionary<string, string> podLabels, Dictionary<object, object>? podSpec,
        List<Resource> resources, List<string> problems)
    {
        foreach (var label in new[] { OrleansClusterIdLabel, OrleansServiceIdLabel })
        {
            if (!podLabels.TryGetValue(label, out var value))
                problems.Add($"{source}: the pod template lacks the label {label} (Orleans' Kubernetes hosting selects the cluster's pods by it)");
            else if (value != clusterId)
                problems.Add($"{source}: the pod label {label}={value} differs from Cluster__Id '{clusterId}'");
        }
        var account = podSpec.Str("serviceAccountName");
        if (account is null)
        {
            problems.Add($"{source}: no serviceAccountName (Orleans' Kubernetes hosting needs an account allowed to {string.Join(", ", OrleansHostingPodVerbs)} pods)");
            return;
        }
        if (!resources.Any(r => r.Kind == "ServiceAccount" && r.Name == account))
            problems.Add($"{source}: serviceAccountName {account} names no ServiceAccount");
        var granted = resources.Where(r => r.Kind == "RoleBinding"
                && r.Document.Seq("subjects").Maps().Any(s => s.Str("kind") == "ServiceAccount" && s.Str("name") == account)
                && r.Document.Map("roleRef").Str("kind") == "Role")
            .Select(b => resources.FirstOrDefault(r => r.Kind == "Role" && r.Name == b.Document.Map("roleRef").Str("name")))
            .OfType<Resource>()
            .SelectMany(role => role.Document.Seq("rules").Maps())
            .Where(rule => rule.Seq("apiGroups").Any(g => g?.ToString() == "") && rule.Seq("resources").Any(r => r?.ToString() == "pods"))
            .SelectMany(rule => rule.Seq("verbs").Select(v => v?.ToString()))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var verb in OrleansHostingPodVerbs.Where(v => !granted.Contains(v)))
            problems.Add($"{source}: service account {account} may not {verb} pods (a RoleBinding to a Role granting it), which Orleans' Kubernetes hosting needs");
    }

    private static Dictionary<string, string> Labels(Dictionary<object, object>? map) =>
        map?.ToDictionary(kv => (string)kv.Key, kv => kv.Value as string ?? "") ?? [];

    private static bool Selects(Dictionary<object, object>? selector, Dictionary<string, string> podLabels)
    {
        var match = Labels(selector.Map("matchLabels") ?? selector);
        return match.Count > 0 && match.All(kv => podLabels.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }

    private static Dictionary<string, EnvValue> Environment(string source, Dictionary<object, object> container,
        Dictionary<string, Dictionary<object, object>?> configMaps, List<string> problems)
    {
        var env = new Dictionary<string, EnvValue>(StringComparer.Ordinal);
        foreach (var from in container.Seq("envFrom").Maps())
        {
            if (from.Map("configMapRef").Str("name") is { } name)
            {
                if (!configMaps.TryGetValue(name, out var data))
                    problems.Add($"{source}: envFrom names ConfigMap {name}, which no manifest defines");
                foreach (var (k, v) in data ?? []) env[(string)k] = new EnvValue(v?.ToString());
            }
            else
            {
                problems.Add($"{source}: envFrom other than a configMapRef cannot be checked; use env with secretKeyRef");
            }
        }
        foreach (var variable in container.Seq("env").Maps())
        {
            var name = variable.Str("name") ?? "";
            var from = variable.Map("valueFrom");
            env[name] = new EnvValue(
                variable.TryGetValue("value", out var value) ? value?.ToString() : null,
                from.Map("fieldRef").Str("fieldPath"),
                from.Map("secretKeyRef") is { } secret ? $"{secret.Str("name")}/{secret.Str("key")}" : null);
        }
        return env;
    }

    private static void CheckDownwardApiAndSecrets(string source, Dictionary<string, EnvValue> env, List<string> problems)
    {
        if (SiloEnvironment.Get(env, "Silo__Name")?.FieldPath != "metadata.name")
            problems.Add($"{source}: Silo__Name must come from the downward API (fieldRef metadata.name)");
        if (SiloEnvironment.Get(env, "Silo__AdvertisedAddress")?.FieldPath != "status.podIP")
            problems.Add($"{source}: Silo__AdvertisedAddress must come from the downward API (fieldRef status.podIP)");
        foreach (var secret in new[] { "Admin__Password", "Cluster__ConnectionString" })
        {
            if (SiloEnvironment.Get(env, secret) is { } value && value.SecretKey is null)
                problems.Add($"{source}: {secret} must come from a Secret (secretKeyRef), not a literal or ConfigMap");
        }
    }

    private static List<ContainerPort> ContainerPorts(Dictionary<object, object> container) =>
        container.Seq("ports").Maps()
            .Select(p => new ContainerPort(p.Str("name"), int.TryParse(p.Str("containerPort"), CultureInfo.InvariantCulture, out var n) ? n : -1, p.Str("protocol") ?? "TCP"))
            .ToList();

    private static void CheckContainerPorts(string source, List<ContainerPort> declared, SiloPorts ports, List<string> problems)
    {
        (int Port, string Protocol, string Key)[] required =
        [
            (ports.Http, "TCP", "Silo__Ports__Http"), (ports.Silo, "TCP", "Silo__Ports__Silo"), (ports.Gateway, "TCP", "Silo__Ports__Gateway"),
            (ports.Sip, "UDP", "Silo__Ports__Sip"), (ports.Sip, "TCP", "Silo__Ports__Sip"),
        ];
        foreach (var (port, protocol, key) in required.Where(r => !declared.Any(d => d.Number == r.Port && d.Protocol == r.Protocol)))
            problems.Add($"{source}: no containerPort {port}/{protocol} ({key})");
        foreach (var extra in declared.Where(d => !required.Any(r => r.Port == d.Number && r.Protocol == d.Protocol)))
            problems.Add($"{source}: containerPort {extra.Name} {extra.Number}/{extra.Protocol} is none of its Silo__Ports__*");
    }

    private static int? Resolve(object? port, List<ContainerPort> declared, string protocol = "TCP") => port switch
    {
        string text when int.TryParse(text, CultureInfo.InvariantCulture, out var number) => number,
        string name => declared.FirstOrDefault(d => d.Name == name && d.Protocol == protocol)?.Number,
        _ => null,
    };

    private static void CheckProbes(string source, Dictionary<object, object> container, List<ContainerPort> declared, SiloPorts ports, List<string> problems)
    {
        foreach (var (probe, path, required) in new[] { ("readinessProbe", ReadinessPath, true), ("livenessProbe", LivenessPath, true), ("startupProbe", LivenessPath, false) })
        {
            var get = container.Map(probe).Map("httpGet");
            if (get is null)
            {
                if (required) problems.Add($"{source}: no {probe} (httpGet {path})");
                continue;
            }
            if (get.Str("path") != path)
                problems.Add($"{source}: {probe} asks {get.Str("path")}, expected {path}");
            var port = Resolve(get.GetValueOrDefault("port"), declared);
            if (port != ports.Http)
                problems.Add($"{source}: {probe} uses port {get.GetValueOrDefault("port")} ({port?.ToString(CultureInfo.InvariantCulture) ?? "unresolved"}), but Silo__Ports__Http is {ports.Http}");
        }
    }

    private static void CheckDrain(string source, Dictionary<object, object>? podSpec, Dictionary<object, object> container, Dictionary<string, EnvValue> env, List<string> problems)
    {
        if (container.Map("lifecycle").Map("preStop") is null)
            problems.Add($"{source}: no preStop hook (drain before SIGTERM)");
        var grace = int.TryParse(podSpec.Str("terminationGracePeriodSeconds"), CultureInfo.InvariantCulture, out var g) ? g : 30;
        if (SiloEnvironment.Value(env, "DRAIN_SECONDS") is { } raw && int.TryParse(raw, CultureInfo.InvariantCulture, out var drain) && drain >= grace)
            problems.Add($"{source}: DRAIN_SECONDS {drain} must stay below terminationGracePeriodSeconds {grace} (the silo needs time to leave)");
    }

    private static void CheckService(string source, string? serviceName, List<Resource> resources, Dictionary<string, string> podLabels,
        List<ContainerPort> declared, int? sipPort, List<string> problems)
    {
        var service = resources.FirstOrDefault(r => r.Kind == "Service" && r.Name == serviceName);
        if (service is null)
        {
            problems.Add($"{source}: serviceName {serviceName ?? "(unset)"} names no Service");
            return;
        }
        var spec = service.Document.Map("spec");
        var ssource = $"{service.File}: Service {service.Name}";
        if (spec.Str("clusterIP") != "None")
            problems.Add($"{ssource}: must be headless (clusterIP: None)");
        if (!Selects(spec.Map("selector"), podLabels))
            problems.Add($"{ssource}: its selector does not select the StatefulSet's pods");
        var servicePorts = spec.Seq("ports").Maps().ToList();
        foreach (var port in servicePorts)
        {
            var protocol = port.Str("protocol") ?? "TCP";
            var target = Resolve(port.GetValueOrDefault("targetPort") ?? port.GetValueOrDefault("port"), declared, protocol);
            if (target is null || !declared.Any(d => d.Number == target && d.Protocol == protocol))
                problems.Add($"{ssource}: port {port.Str("name")} targets {port.GetValueOrDefault("targetPort") ?? port.GetValueOrDefault("port")}/{protocol}, which the silo container does not declare");
        }
        foreach (var protocol in new[] { "UDP", "TCP" })
        {
            var sip = declared.FirstOrDefault(d => d.Protocol == protocol && d.Number == sipPort);
            if (sip is null || !servicePorts.Any(p => (p.Str("protocol") ?? "TCP") == protocol && Resolve(p.GetValueOrDefault("targetPort") ?? p.GetValueOrDefault("port"), declared, protocol) == sip.Number))
                problems.Add($"{ssource}: does not expose SIP over {protocol}");
        }
    }
}
