namespace ConferenceCluster.Deploy.Tests;

/// <summary>
/// Every check can fail: each case changes one committed deployment file (the change must apply) and expects the
/// checkers to name the problem; the last tests feed small hand-written documents.
/// </summary>
public class CheckerFailureTests
{
    public static TheoryData<string, string, string, string> Mutations => new()
    {
        // compose.yaml
        { "compose.yaml", "      Silo__Name: london1\n", "      Silo__Name: london1\n      Silo__Prots__Http: \"8080\"\n", "london1: Silo__Prots__Http is not a silo configuration key" },
        { "compose.yaml", "  Cluster__Storage: postgres\n", "  Cluster__Storage: sqlite\n", "london1: Cluster__Storage must be postgres" },
        { "compose.yaml", "  Cluster__ConnectionString: ", "  Cluster__ConnectionStrin: ", "Cluster__ConnectionString is required" },
        { "compose.yaml", "      Silo__AdvertisedAddress: 10.42.0.22\n", "", "paris2: Silo__AdvertisedAddress must be set" },
        { "compose.yaml", "      Silo__AdvertisedAddress: 10.42.0.22\n", "      Silo__AdvertisedAddress: 10.42.0.21\n", "paris2: Silo__AdvertisedAddress '10.42.0.21' is neither its network address" },
        { "compose.yaml", "      Silo__Name: paris2\n", "      Silo__Name: paris1\n", "Silo__Name 'paris1' is used by paris1, paris2" },
        { "compose.yaml", "      Silo__Role: proxying\n", "      Silo__Role: edge\n", "edge1: Silo__Role must be transcoding or proxying" },
        { "compose.yaml", "\"8081:8080\"", "\"8081:8081\"", "london1: publishes container port 8081/tcp" },
        { "compose.yaml", "\"41000-41999:41000-41999/udp\"", "\"40000-40999:41000-41999/udp\"", "host ports 40000-40999/udp (london1) and 40000-40999/udp (london2) overlap" },
        { "compose.yaml", "      Silo__Ports__MediaRange: 42000-42999\n", "      Silo__Ports__MediaRange: 42000-43999\n", "paris1: publishes media 42000-42999:42000-42999/udp, but Silo__Ports__MediaRange is 42000-43999" },
        { "compose.yaml", "  Silo__Ports__Sip: \"5060\"\n", "  Silo__Ports__Sip: \"5080\"\n", "dispatcher-london.list: sip:10.42.0.11:5060 uses port 5060, but london1 has Silo__Ports__Sip 5080" },
        { "compose.yaml", "    - \"5060/udp\"\n", "", "london1: port 5060/udp (from Silo__Ports__*) is neither exposed nor published" },
        { "compose.yaml", "      condition: service_healthy\n", "      condition: service_started\n", "london1: must depend on postgres with condition service_healthy" },
        { "compose.yaml", "    healthcheck:\n", "    x-healthcheck:\n", "postgres needs a healthcheck" },
        { "compose.yaml", "    command: [\"--migrate\"]\n", "", "expected one schema step (the silo image with command [\"--migrate\"]), found 0" },
        { "compose.yaml", "      condition: service_completed_successfully\n", "      condition: service_started\n", "london1: must depend on migrate with condition service_completed_successfully" },
        { "compose.yaml", "    restart: \"no\"\n", "    restart: always\n", "migrate: restart 'always' would run the schema step again" },
        { "compose.yaml", "  Cluster__ConnectionString: ", "  Cluster__ConnectionStrin: ", "migrate: Cluster__ConnectionString is required for the schema step" },
        { "compose.yaml", "      - pgdata:/var/lib/postgresql/data\n", "      - ./pgdata:/var/lib/postgresql/data\n", "postgres must keep its data in a named volume" },
        { "compose.yaml", "./kamailio/dispatcher-paris.list:", "./kamailio/dispatcher-london.list:", "location paris has transcoding silos but no Kamailio dispatcher" },
        { "kamailio/dispatcher-london.list", "sip:10.42.0.11:5060", "sip:10.42.0.21:5060", "sip:10.42.0.21:5060 is paris1 of location paris, not london" },
        { "kamailio/dispatcher-paris.list", "1 sip:10.42.0.22:5060 0 0 duid=paris2\n", "", "paris2 of location paris is missing" },
        { "kamailio/dispatcher-paris.list", "sip:10.42.0.22:5060", "sip:10.42.0.99:5060", "sip:10.42.0.99:5060 is no silo of compose.yaml" },
        { "kamailio/kamailio.cfg", "if (ds_next_dst()) {", "if (false) {", "kamailio.cfg: missing ds_next_dst()" },
        { "kamailio/kamailio.cfg", "modparam(\"dispatcher\", \"ds_probing_mode\", 1)", "# modparam(\"dispatcher\", \"ds_probing_mode\", 1)", "missing modparam(\"dispatcher\", \"ds_probing_mode\", 1)" },
        { "kamailio/kamailio.cfg", "\trecord_route();", "\t# record_route();", "missing record_route()" },
        { "compose.yaml", "      Silo__Ports__MediaRange: 44000-44999\n", "      Silo__Ports__MediaRange: 44000-44999\n      Silo__Capacity__AudioCalls: \"-5\"\n", "edge1: the silo refuses this configuration: Silo:Capacity:AudioCalls must not be negative" },
        // kubernetes/
        { "kubernetes/configmap.yaml", "  Silo__Ports__Http: \"8080\"\n", "  Silo__Ports__Http: \"8081\"\n", "readinessProbe uses port http (8080), but Silo__Ports__Http is 8081" },
        { "kubernetes/configmap.yaml", "  Cluster__Storage: postgres\n", "  Cluster__Storage: memory\n", "StatefulSet paris, container silo: Cluster__Storage must be postgres" },
        { "kubernetes/configmap.yaml", "  name: conferencecluster-shared\n", "  name: conferencecluster-common\n", "envFrom names ConfigMap conferencecluster-shared, which no manifest defines" },
        { "kubernetes/configmap.yaml", "  Cluster__Id: conferencecluster\n", "  Cluster__Id: conference cluster\n", "the silo refuses this configuration: Cluster:Id must be letters, digits" },
        { "kubernetes/london.yaml", "path: /health/ready", "path: /health", "readinessProbe asks /health, expected /health/ready" },
        { "kubernetes/paris.yaml", "path: /health/live", "path: /api/client/v2/status", "livenessProbe asks /api/client/v2/status, expected /health/live" },
        { "kubernetes/london.yaml", "          args: [\"--migrate\"]\n", "          args: [\"--help\"]\n", "london: needs one init container of the silo image with args [\"--migrate\"]" },
        { "kubernetes/paris.yaml", "          args: [\"--migrate\"]\n          envFrom:\n            - configMapRef:\n                name: conferencecluster-shared\n          env:\n            - name: Cluster__ConnectionString\n",
            "          args: [\"--migrate\"]\n          envFrom:\n            - configMapRef:\n                name: conferencecluster-shared\n          env:\n            - name: Cluster__ConnectionStrin\n",
            "paris, init container migrate: Cluster__ConnectionString is required for the schema step" },
        { "kubernetes/london.yaml", "        orleans/clusterId: conferencecluster\n", "        orleans/clusterId: other\n", "london: the pod label orleans/clusterId=other differs from Cluster__Id 'conferencecluster'" },
        { "kubernetes/paris.yaml", "        orleans/serviceId: conferencecluster\n", "", "paris: the pod template lacks the label orleans/serviceId" },
        { "kubernetes/edge.yaml", "      serviceAccountName: conferencecluster\n", "      serviceAccountName: default\n", "edge: serviceAccountName default names no ServiceAccount" },
        { "kubernetes/paris.yaml", "            - name: POD_NAMESPACE\n", "            - name: POD_NAMESPACES\n", "paris, container silo: the silo would not turn Orleans' Kubernetes hosting on" },
        { "kubernetes/london.yaml", "            - name: POD_NAME\n              valueFrom:\n                fieldRef:\n                  fieldPath: metadata.name\n",
            "            - name: POD_NAME\n              valueFrom:\n                fieldRef:\n                  fieldPath: spec.nodeName\n", "london, container silo: POD_NAME must come from metadata.name" },
        { "kubernetes/rbac.yaml", "verbs: [\"get\", \"list\", \"watch\", \"patch\"]", "verbs: [\"get\", \"list\", \"watch\"]", "london: service account conferencecluster may not patch pods" },
        { "kubernetes/london.yaml", "fieldPath: status.podIP", "fieldPath: status.hostIP", "london, container silo: Silo__AdvertisedAddress must come from the downward API" },
        { "kubernetes/paris.yaml", "            - name: Silo__Role\n", "            - name: Silo__Locaton\n              value: paris\n            - name: Silo__Role\n", "StatefulSet paris, container silo: Silo__Locaton is not a silo configuration key" },
        { "kubernetes/edge.yaml", "              value: edge\n", "              value: london\n", "Silo__Location 'london' differs from the pod label conferencecluster/location=edge" },
        { "kubernetes/london.yaml", "      targetPort: sip-udp\n      protocol: UDP\n", "      targetPort: sip-udp\n      protocol: TCP\n", "Service conferencecluster-london: does not expose SIP over UDP" },
        { "kubernetes/london.yaml", "      containerPort: 11111\n", "      containerPort: 11112\n", "london, container silo: no containerPort 11111/TCP (Silo__Ports__Silo)" },
        { "kubernetes/london.yaml", "  clusterIP: None\n", "", "Service conferencecluster-london: must be headless" },
        { "kubernetes/london.yaml", "  serviceName: conferencecluster-london\n", "  serviceName: conferencecluster-lisbon\n", "serviceName conferencecluster-lisbon names no Service" },
        { "kubernetes/london.yaml", "  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: conferencecluster\n      conferencecluster/location: london\n",
            "  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: conferencecluster\n      conferencecluster/location: lisbon\n", "StatefulSet london: no PodDisruptionBudget selects its pods" },
        { "kubernetes/london.yaml", "                  key: admin-password\n", "                  key: admin-password\n            - name: Admin__Password\n              value: hunter2\n", "london, container silo: Admin__Password must come from a Secret" },
        { "kubernetes/london.yaml", "            preStop:\n", "            x-preStop:\n", "london, container silo: no preStop hook" },
        { "kubernetes/london.yaml", "              value: \"600\"\n", "              value: \"700\"\n", "DRAIN_SECONDS 700 must stay below terminationGracePeriodSeconds 630" },
        // systemd/
        { "systemd/conferencecluster-silo.service.d/location-london.conf", "Environment=Silo__Role=transcoding\n", "Environment=Silo__Role=transcoding\nEnvironment=Silo__Locality=london\n", "location-london.conf: Silo__Locality is not a silo configuration key" },
        { "systemd/conferencecluster-silo.service.d/location-paris.conf", "Environment=Silo__Location=paris\n", "Environment=Silo__Location=london\n", "location-paris.conf: must set Silo__Location=paris" },
        { "systemd/conferencecluster-silo.service", "Environment=DOTNET_CLI_TELEMETRY_OPTOUT=1\n", "Environment=DOTNET_CLI_TELEMETRY_OPTOUT=1 \"Demo__Enable=true\"\n", "conferencecluster-silo.service: Demo__Enable is not a silo configuration key" },
        { "systemd/conferencecluster-silo.service", "RestartPreventExitStatus=2\n", "RestartPreventExitStatus=3\n", "RestartPreventExitStatus must be a list containing 2" },
        { "systemd/conferencecluster-silo.service", "Restart=on-failure\n", "Restart=always\n", "Restart must be on-failure" },
        { "systemd/conferencecluster-silo.service", "ConferenceCluster.Silo.dll --migrate\n", "ConferenceCluster.Silo.dll\n", "ExecStartPre must be the published silo with --migrate" },
        { "systemd/conferencecluster-silo.service", "User=conferencecluster\n", "", "User must be a dedicated user" },
        { "systemd/silo.env.example", "Cluster__Storage=postgres\n", "Cluster__Storage=postgres\nSilo__Location=paris\n", "location-london.conf: Silo__Location is also in the environment file" },
        { "systemd/silo.env.example", "Silo__Ports__Http=8080\n", "Silo__Ports__Htp=8080\n", "silo.env.example: Silo__Ports__Htp is not a silo configuration key" },
        { "systemd/silo.env.example", "Silo__AdvertisedAddress=10.0.0.7\n", "", "Silo__AdvertisedAddress must be set" },
    };

    [Theory]
    [MemberData(nameof(Mutations))]
    public void A_broken_deployment_file_is_reported(string file, string from, string to, string expected)
    {
        var original = DeployFiles.Read(file);
        Assert.Contains(from, original);   // the mutation still applies to the committed file
        var overlay = new Dictionary<string, string> { [file] = original.Replace(from, to, StringComparison.Ordinal) };

        var problems = AllProblems(overlay);

        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void The_unchanged_files_have_no_problems() => Assert.Empty(AllProblems([]));

    [Fact]
    public void A_hand_written_bad_compose_file_fails()
    {
        const string compose = """
            services:
              db:
                image: postgres:17
              node:
                build: ..
                environment:
                  - Silo__Name=node
                  - Silo__Prots__Http=8081
                ports:
                  - "8081:8081"
            """;

        var problems = ComposeChecker.Check(compose, _ => null);

        Assert.Contains(problems, p => p.Contains("Silo__Prots__Http is not a silo configuration key", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Cluster__Storage must be postgres", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Silo__Location must be set", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("db needs a healthcheck", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("publishes container port 8081/tcp", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("port 5060/udp (from Silo__Ports__*) is neither exposed nor published", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("    Silo__Ports__Sip=5060\n", "    Silo__Ports__Sip=5070\n", "Dockerfile: EXPOSE lacks 5070/udp (Silo__Ports__Sip)")]
    [InlineData("    Silo__Ports__Http=8080 ", "    Silo__Ports__Htp=8080 ", "Dockerfile ENV: Silo__Ports__Htp is not a silo configuration key")]
    [InlineData("${Silo__Ports__Http}/health/ready", "${Silo__Ports__Http}/health", "HEALTHCHECK must ask ${Silo__Ports__Http}/health/ready")]
    [InlineData("COPY src/ConferenceCluster.Storage/ConferenceCluster.Storage.csproj src/ConferenceCluster.Storage/\n", "",
        "Dockerfile: the restore layer does not copy src/ConferenceCluster.Storage/ConferenceCluster.Storage.csproj")]
    [InlineData("COPY src/ConferenceCluster.Sip/", "COPY src/ConferenceCluster.Runtime/ConferenceCluster.Runtime.csproj src/ConferenceCluster.Runtime/\nCOPY src/ConferenceCluster.Sip/",
        "Dockerfile: COPY src/ConferenceCluster.Runtime/ConferenceCluster.Runtime.csproj, which does not exist")]
    public void A_broken_Dockerfile_is_reported(string from, string to, string expected)
    {
        var original = File.ReadAllText(Path.Combine(DeployFiles.Root, "Dockerfile"));
        Assert.Contains(from, original);
        Assert.Contains(DockerfileChecker.Check(original.Replace(from, to, StringComparison.Ordinal)), p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_compose_healthcheck_on_another_port_is_reported()
    {
        var compose = DeployFiles.Read("compose.yaml").Replace(
            "  stop_grace_period: 30s\n", "  stop_grace_period: 30s\n  healthcheck:\n    test: [\"CMD\", \"curl\", \"-f\", \"http://127.0.0.1:9090/health\"]\n", StringComparison.Ordinal);
        Assert.Contains("compose.yaml: london1: its healthcheck must ask /health on Silo__Ports__Http (8080)", ComposeChecker.Check(compose, DeployFiles.TryRead));
    }

    [Fact]
    public void A_compose_file_without_silos_fails() =>
        Assert.Contains("compose.yaml: no silo services (build: .. or image conferencecluster:...)",
            ComposeChecker.Check("services:\n  db:\n    image: postgres:17\n    healthcheck: {test: [\"CMD\", \"true\"]}\n", _ => null));

    [Fact]
    public void A_manifest_set_without_statefulsets_fails() =>
        Assert.Contains("kubernetes: no StatefulSet", KubernetesChecker.Check([("x.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")]));

    private static List<string> AllProblems(Dictionary<string, string> overlay)
    {
        string? Read(string path)
        {
            var relative = Path.GetRelativePath(DeployFiles.Deploy, Path.GetFullPath(Path.Combine(DeployFiles.Deploy, path)));
            return overlay.TryGetValue(relative, out var text) ? text : DeployFiles.TryRead(relative);
        }
        (string File, string Text) Over((string File, string Text) f, string prefix) =>
            overlay.TryGetValue(prefix + f.File, out var text) ? (f.File, text) : f;

        var problems = ComposeChecker.Check(Read("compose.yaml")!, Read);
        problems.AddRange(KubernetesChecker.Check(DeployFiles.Kubernetes().Select(f => Over(f, ""))));
        problems.AddRange(SystemdChecker.Check(
            Read("systemd/conferencecluster-silo.service")!,
            DeployFiles.SystemdDropIns().Select(f => Over(f, "systemd/")),
            Read("systemd/silo.env.example")!));
        return problems;
    }
}
