using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Services;

namespace ConferenceCluster.Gateway.Admission;

/// <summary>
/// This node's door for new calls, whatever their protocol (the SIP gateway, the client API): the room an alias names,
/// and break-in resistance (R-BRK-1..5), one per node for all its clients ("applies to all clients", L7007), so PIN
/// guesses over SIP and over the client API count against the same service. Thread-safe.
/// </summary>
public sealed class CallAdmission(ConfigurationView configuration, TimeProvider time)
{
    private readonly BreakInResistance _breakIn = new(time);
    private readonly Lock _gate = new();

    /// <summary>VOIP scanner resistance: a quarantined source sees no service at all (R-BRK-2).</summary>
    public BreakInDecision CheckCaller(string remoteAddress, string? alias)
    {
        lock (_gate) return _breakIn.CheckCaller(remoteAddress, alias);
    }

    /// <summary>PIN brute-force resistance: a service under attack looks as if it did not exist (R-BRK-1, L4365).</summary>
    public BreakInDecision CheckService(string service, string? participant, string? remoteAddress)
    {
        lock (_gate) return _breakIn.CheckService(service, participant, remoteAddress);
    }

    /// <summary>True when this unknown alias quarantines the source.</summary>
    public bool RecordUnknownAlias(string remoteAddress)
    {
        lock (_gate) return _breakIn.RecordUnknownAlias(remoteAddress);
    }

    /// <summary>True when this wrong PIN starts a block of the service.</summary>
    public bool RecordIncorrectPin(string service)
    {
        lock (_gate) return _breakIn.RecordIncorrectPin(service);
    }

    public void Prune()
    {
        lock (_gate) _breakIn.Prune();
    }

    /// <summary>
    /// The Virtual Meeting Room an alias names (as dialled, or with the host it was dialled at). A room created since
    /// this silo's last poll is callable at once: when none matches, one cheap read of the store's change counter.
    /// </summary>
    public async Task<VirtualMeetingRoom?> FindRoomAsync(string alias, string? host, CancellationToken cancellationToken)
    {
        var room = Find(alias, host);
        if (room is not null) return room;
        await configuration.RefreshAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return Find(alias, host);
    }

    private VirtualMeetingRoom? Find(string alias, string? host) =>
        configuration.Current.FindConferenceByAlias(alias)
        ?? (host is null ? null : configuration.Current.FindConferenceByAlias($"{alias}@{host}"));
}
