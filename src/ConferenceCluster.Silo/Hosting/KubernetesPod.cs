namespace ConferenceCluster.Silo.Hosting;

/// <summary>
/// Whether this silo runs in a Kubernetes pod set up for Orleans' Kubernetes hosting: the kubelet's
/// <c>KUBERNETES_SERVICE_HOST</c>, and the pod's name and namespace from the downward API under the names Orleans'
/// hosting reads (<c>POD_NAME</c>, <c>POD_NAMESPACE</c>; deploy/kubernetes sets them). Both are asked for, so a test run
/// or a build inside some other pod (a CI runner, say) does not start watching pods it may not read.
/// </summary>
public static class KubernetesPod
{
    public const string ServiceHostVariable = "KUBERNETES_SERVICE_HOST";
    public const string PodNameVariable = "POD_NAME";
    public const string PodNamespaceVariable = "POD_NAMESPACE";

    public static bool IsOrleansPod(Func<string, string?> environment) =>
        new[] { ServiceHostVariable, PodNameVariable, PodNamespaceVariable }.All(name => !string.IsNullOrEmpty(environment(name)));
}
