using System.Globalization;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Storage.Documents;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Conferencing.Operations.Alarms;

/// <summary>
/// Raises and lowers alarms in the cluster database, so every silo's API shows one list. An alarm stays up for as
/// long as its cause (L15388): raising one that is up changes nothing, lowering one moves it to the history.
/// </summary>
/// <remarks>
/// Raise is insert-if-absent and lower is delete-at-version, so two silos raising or lowering the same alarm at once
/// leave one alarm, or one history record. A failed store call is logged and swallowed: an alarm must never break the
/// call or sink that raised it. Logged as the seed logs them (module <c>administrator.alarm</c>, L11474–11477, L15879).
/// </remarks>
public sealed class AlarmRegistry(IClusterDocumentStore store, TimeProvider time, ILogger<AlarmRegistry> logger)
{
    /// <summary>Racing silos each take a number; this bounds the retries of one raise (never reached in practice).</summary>
    private const int MaxSequenceAttempts = 64;

    private IClusterDocumentStore Documents => store;

    /// <summary>Raises the alarm unless it is already up; returns the alarm that is up afterwards (null if the store failed).</summary>
    public async Task<ActiveAlarm?> RaiseAsync(AlarmKind kind, string node, string instance, string details, CancellationToken cancellationToken = default)
    {
        try
        {
            var documentId = ActiveAlarm.DocumentIdOf(kind.Key, node, instance);
            if (await Documents.GetAsync(AlarmCollections.Active, documentId, cancellationToken).ConfigureAwait(false) is { } up)
                return ConfigurationCollections.Deserialize<ActiveAlarm>(up.Json);
            var alarm = new ActiveAlarm(await NextIdAsync(cancellationToken).ConfigureAwait(false), kind.Key, kind.Name, kind.Level,
                node, instance, details, time.GetUtcNow());
            if (await Documents.TryInsertAsync(AlarmCollections.Active, documentId, ConfigurationCollections.Serialize(alarm), cancellationToken).ConfigureAwait(false) is null)
            {
                // Another silo raised it between our read and insert: theirs is the alarm.
                var winner = await Documents.GetAsync(AlarmCollections.Active, documentId, cancellationToken).ConfigureAwait(false);
                return winner is null ? null : ConfigurationCollections.Deserialize<ActiveAlarm>(winner.Json);
            }
            logger.LogWarning("administrator.alarm Message=\"Alarm raised\" Node=\"{Node}\" Alarm=\"{Alarm}\" Instance=\"{Instance}\" Detail=\"{Detail}\"",
                node, kind.Key, instance, details);
            return alarm;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Could not raise alarm {Alarm} for {Node} {Instance}", kind.Key, node, instance);
            return null;
        }
    }

    /// <summary>Lowers the alarm if it is up and records it in the alarm history. True if this call lowered it.</summary>
    public async Task<bool> LowerAsync(AlarmKind kind, string node, string instance, CancellationToken cancellationToken = default)
    {
        try
        {
            var documentId = ActiveAlarm.DocumentIdOf(kind.Key, node, instance);
            if (await Documents.GetAsync(AlarmCollections.Active, documentId, cancellationToken).ConfigureAwait(false) is not { } up)
                return false;
            if (!await Documents.DeleteAsync(AlarmCollections.Active, documentId, up.Version, cancellationToken).ConfigureAwait(false))
                return false;
            var alarm = ConfigurationCollections.Deserialize<ActiveAlarm>(up.Json);
            var lowered = new AlarmHistoryRecord(alarm, time.GetUtcNow());
            await Documents.TryInsertAsync(AlarmCollections.History, alarm.Id.ToString(CultureInfo.InvariantCulture),
                ConfigurationCollections.Serialize(lowered), cancellationToken).ConfigureAwait(false);
            logger.LogInformation("administrator.alarm Message=\"Alarm lowered\" Node=\"{Node}\" Alarm=\"{Alarm}\" Instance=\"{Instance}\"",
                node, kind.Key, instance);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Could not lower alarm {Alarm} for {Node} {Instance}", kind.Key, node, instance);
            return false;
        }
    }

    /// <summary>Lowers every alarm of the kind that is up and matches; used when a cause clears for all its instances at once.</summary>
    public async Task LowerAllAsync(AlarmKind kind, Func<ActiveAlarm, bool> matches, CancellationToken cancellationToken = default)
    {
        foreach (var alarm in (await ActiveAsync(cancellationToken).ConfigureAwait(false)).Where(a => a.Key == kind.Key && matches(a)))
            await LowerAsync(kind, alarm.Node, alarm.Instance, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ActiveAlarm>> ActiveAsync(CancellationToken cancellationToken = default) =>
        (await Documents.ListAsync(AlarmCollections.Active, cancellationToken).ConfigureAwait(false))
        .Select(d => ConfigurationCollections.Deserialize<ActiveAlarm>(d.Json)).ToList();

    public async Task<IReadOnlyList<AlarmHistoryRecord>> HistoryAsync(CancellationToken cancellationToken = default) =>
        (await Documents.ListAsync(AlarmCollections.History, cancellationToken).ConfigureAwait(false))
        .Select(d => ConfigurationCollections.Deserialize<AlarmHistoryRecord>(d.Json)).ToList();

    private async Task<long> NextIdAsync(CancellationToken cancellationToken)
    {
        const string id = "next";
        for (var attempt = 0; attempt < MaxSequenceAttempts; attempt++)
        {
            var current = await Documents.GetAsync(AlarmCollections.Sequence, id, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                if (await Documents.TryInsertAsync(AlarmCollections.Sequence, id, "2", cancellationToken).ConfigureAwait(false) is not null)
                    return 1;
                continue;
            }
            var next = long.Parse(current.Json, CultureInfo.InvariantCulture);
            if (await Documents.TryUpdateAsync(AlarmCollections.Sequence, id, (next + 1).ToString(CultureInfo.InvariantCulture), current.Version, cancellationToken).ConfigureAwait(false) is not null)
                return next;
        }
        throw new InvalidOperationException($"could not take an alarm id after {MaxSequenceAttempts} attempts");
    }
}
