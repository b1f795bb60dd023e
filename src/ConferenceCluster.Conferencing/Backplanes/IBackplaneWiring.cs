namespace ConferenceCluster.Conferencing.Backplanes;

/// <summary>
/// Makes the media nodes carry what a conference's <see cref="BackplaneTopology"/> says (R34–R38): the conference grain
/// hands it every change of its topology, and it opens or closes the RTP backplanes on the nodes at both ends.
/// </summary>
/// <remarks>
/// Idempotent: a restored conference grain hands over its whole topology again, so opening a backplane that is open
/// or closing one that is gone is not an error. A node that does not answer is logged and skipped (the conference
/// drops it as failed on its own); the call returns once every reachable end has been told.
/// </remarks>
public interface IBackplaneWiring
{
    Task ApplyAsync(string conference, BackplaneChanges changes);
}
