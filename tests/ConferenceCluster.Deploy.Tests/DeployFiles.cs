namespace ConferenceCluster.Deploy.Tests;

/// <summary>The repository's deploy/ directory, found from the test assembly's location.</summary>
public static class DeployFiles
{
    public static string Root { get; } = FindRoot();

    public static string Deploy => Path.Combine(Root, "deploy");

    public static string Read(string relativeToDeploy) => File.ReadAllText(Path.Combine(Deploy, relativeToDeploy));

    public static string? TryRead(string relativeToDeploy)
    {
        var path = Path.GetFullPath(Path.Combine(Deploy, relativeToDeploy));
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    public static IEnumerable<(string File, string Text)> Kubernetes() =>
        Directory.GetFiles(Path.Combine(Deploy, "kubernetes"), "*.yaml").Order(StringComparer.Ordinal)
            .Select(f => ($"kubernetes/{Path.GetFileName(f)}", File.ReadAllText(f)));

    public static IEnumerable<(string File, string Text)> SystemdDropIns() =>
        Directory.GetFiles(Path.Combine(Deploy, "systemd", "conferencecluster-silo.service.d"), "*.conf").Order(StringComparer.Ordinal)
            .Select(f => ($"conferencecluster-silo.service.d/{Path.GetFileName(f)}", File.ReadAllText(f)));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ConferenceCluster.sln")) && Directory.Exists(Path.Combine(dir.FullName, "deploy")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException("no ConferenceCluster.sln with deploy/ above " + AppContext.BaseDirectory);
    }
}
