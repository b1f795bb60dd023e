namespace ConferenceCluster.Conferencing.Backplanes;

/// <summary>A silo without a media layer (grain tests, tools): topologies are computed and shown, nothing carries them.</summary>
public sealed class NoBackplaneWiring : IBackplaneWiring
{
    public Task ApplyAsync(string conference, BackplaneChanges changes) => Task.CompletedTask;
}
