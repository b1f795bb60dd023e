namespace ConferenceCluster.Conferencing;

/// <summary>The names of the Orleans storage providers the conferencing grains use; the host configures them.</summary>
public static class ConferencingStorage
{
    /// <summary>Grain state (a conference's placement, participants and lobby): ADO.NET on PostgreSQL or SQLite, or memory.</summary>
    public const string Grains = "conferencing";

    /// <summary>Orleans' stream subscriptions (its fixed name, <c>ProviderConstants.DEFAULT_PUBSUB_PROVIDER_NAME</c>).</summary>
    public const string PubSub = "PubSubStore";
}
