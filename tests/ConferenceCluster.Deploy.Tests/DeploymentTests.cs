namespace ConferenceCluster.Deploy.Tests;

/// <summary>The committed deployment files pass every check.</summary>
public class DeploymentTests
{
    [Fact]
    public void Compose_silos_use_known_keys_and_their_configured_ports_and_the_dispatchers_point_at_their_location()
    {
        var problems = ComposeChecker.Check(DeployFiles.Read("compose.yaml"), DeployFiles.TryRead, out var silos);
        Assert.Empty(problems);
        Assert.Equal(
            ["edge1 edge proxying", "london1 london transcoding", "london2 london transcoding", "paris1 paris transcoding", "paris2 paris transcoding"],
            silos.Select(s => $"{s.Service} {s.Location} {s.Role}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Compose_media_ranges_do_not_overlap()
    {
        ComposeChecker.Check(DeployFiles.Read("compose.yaml"), DeployFiles.TryRead, out var silos);
        var ranges = silos.Select(s => s.Ports!).OrderBy(p => p.MediaFirst).ToList();
        for (var i = 1; i < ranges.Count; i++)
            Assert.True(ranges[i - 1].MediaLast < ranges[i].MediaFirst, $"media ranges {ranges[i - 1]} and {ranges[i]} overlap");
    }

    [Fact]
    public void Kubernetes_statefulsets_use_known_keys_configured_ports_probes_services_and_budgets()
    {
        var problems = KubernetesChecker.Check(DeployFiles.Kubernetes(), out var locations);
        Assert.Empty(problems);
        Assert.Equal(["edge edge", "london london", "paris paris"], locations.Select(l => $"{l.Key} {l.Value}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Systemd_unit_and_drop_ins_set_only_known_keys()
    {
        var problems = SystemdChecker.Check(
            DeployFiles.Read("systemd/conferencecluster-silo.service"), DeployFiles.SystemdDropIns(), DeployFiles.Read("systemd/silo.env.example"));
        Assert.Empty(problems);
        Assert.Equal(
            ["conferencecluster-silo.service.d/location-edge.conf", "conferencecluster-silo.service.d/location-london.conf", "conferencecluster-silo.service.d/location-paris.conf"],
            DeployFiles.SystemdDropIns().Select(d => d.File));
    }

    [Fact]
    public void The_Dockerfile_sets_known_keys_exposes_their_ports_and_checks_health_on_the_http_port() =>
        Assert.Empty(DockerfileChecker.Check(File.ReadAllText(Path.Combine(DeployFiles.Root, "Dockerfile"))));

    [Fact]
    public void The_silo_key_list_is_what_the_checks_use()
    {
        Assert.True(SiloEnvironment.IsKnownKey("Silo__Ports__Http"));
        Assert.True(SiloEnvironment.IsKnownKey("cluster__membership__probeperiod")); // the old runtime's name, still accepted
        Assert.True(SiloEnvironment.IsKnownKey("Cluster__Membership__MaxProbeTimeout")); // Orleans' names since the move
        Assert.False(SiloEnvironment.IsKnownKey("Cluster__Membership__ProbePeriodd"));
        Assert.True(SiloEnvironment.IsKnownKey("Silo__GrainAssemblies__0"));
        Assert.False(SiloEnvironment.IsKnownKey("Silo__Prots__Http"));
        Assert.False(SiloEnvironment.IsKeyForm("DRAIN_SECONDS"));
        Assert.False(SiloEnvironment.IsKeyForm("Logging__LogLevel__Default"));
    }
}
