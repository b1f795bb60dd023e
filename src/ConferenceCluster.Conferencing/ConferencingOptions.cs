using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Services;

namespace ConferenceCluster.Conferencing;

/// <summary>Tunables of the conferencing grains and the per-silo configuration view (configuration section <c>Conferencing</c>).</summary>
public sealed class ConferencingOptions
{
    /// <summary>How often each silo checks the configuration's change counter; a change reaches every silo within about this.</summary>
    public TimeSpan ConfigurationPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Whether a silo records itself as a Conferencing Node from its metadata (unless an operator configured it).</summary>
    public bool SelfRegisterNode { get; set; } = true;

    /// <summary>
    /// Capacity of a node whose metadata gives none: 480 audio calls = 40 HD, the seed's planning figure for its
    /// reference server (S7.10, L449) until the node measures its own (R60).
    /// </summary>
    public long DefaultCapacityAudioCalls { get; set; } = 480;

    /// <summary>Location of a node whose metadata names none.</summary>
    public string DefaultLocation { get; set; } = "default";

    /// <summary>
    /// How many times a join allocates again after a node refused a reservation (its load moved on since the
    /// snapshot). Each attempt reads fresh loads, so more than a couple are needed only under a heavy surge.
    /// </summary>
    public int MaxAllocationAttempts { get; set; } = 16;

    /// <summary>How long an empty conference activation stays before it deactivates (see ConferenceGrain.LingerIfEmpty).</summary>
    public TimeSpan EmptyConferenceLinger { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an ended call leg's grain stays, so the gateway can still read why it ended.</summary>
    public TimeSpan EndedCallLinger { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The Host/Guest timers a conference instance runs with, from the Global Settings it starts under (R-HG-1/2/5,
    /// R-END-1). Tests shorten the fixed waiting-prompt cadence (30 s video, 15 s audio, L6938) here.
    /// </summary>
    public Func<GlobalSettings, HostedConferenceOptions> HostedConference { get; set; } = HostedConferenceOptions.From;

    /// <summary>
    /// The period of a conference's deadline reminder (Orleans' reminders repeat; the minimum is one minute): after a
    /// silo's death the restored conference acts on an overdue deadline within this long at worst.
    /// </summary>
    public TimeSpan DeadlineReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// When a node fails, whether the calls whose signalling node survives are moved to new media nodes (chosen by the
    /// same rules as a join, then re-INVITEd by their signalling node) instead of being disconnected (issue 6; Pexip
    /// drops them, R85). Calls signalled by the failed node end either way: nothing is left to signal them.
    /// </summary>
    public bool MoveCallsOffFailedNodes { get; set; } = true;

    /// <summary>Whether conference and participant history records are written to the cluster database.</summary>
    public bool WriteHistory { get; set; } = true;
}
