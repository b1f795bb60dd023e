namespace ConferenceCluster.Conferencing.Layouts;

/// <summary>
/// Carries a conference's video state (<see cref="ConferenceVideoState"/>: layout, quality, roster) to the media nodes
/// that host it, as <see cref="Backplanes.IBackplaneWiring"/> carries its backplanes: the conference grain decides, the
/// wiring delivers. Conferencing only knows this seam (a no-op default, so grain tests and tools need no media); the
/// Gateway registers the real one.
/// </summary>
/// <remarks>
/// The grain awaits each call inside its turn, so the states reach a node in order; each state also carries its place in
/// that order (<see cref="ConferenceVideoState.IsNewerThan"/>), so a late one cannot undo a newer one. A node that does
/// not answer is logged and skipped.
/// </remarks>
public interface IVideoLayoutWiring
{
    /// <param name="state">The state to apply, or null: the conference's media has left <paramref name="nodes"/>.</param>
    Task ApplyAsync(string conference, ConferenceVideoState? state, IReadOnlyCollection<string> nodes);
}

/// <summary>A silo without a media layer (grain tests, tools): nothing composes, nothing needs telling.</summary>
public sealed class NoVideoLayoutWiring : IVideoLayoutWiring
{
    public Task ApplyAsync(string conference, ConferenceVideoState? state, IReadOnlyCollection<string> nodes) => Task.CompletedTask;
}
