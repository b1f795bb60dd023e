using ConferenceCluster.Conferencing.Events;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Gateway.Client;

namespace ConferenceCluster.Silo.Api.Client;

/// <summary>One server-sent event before framing: Pexip's event name and its data object.</summary>
internal sealed record ClientEvent(string Name, object? Data);

/// <summary>
/// Turns what happens in a conference (its Orleans stream) and to one participant (its private stream) into the
/// events Pexip's clients read, for one event stream: the roster first (<c>participant_sync_begin</c>, a
/// <c>participant_create</c> per participant, <c>participant_sync_end</c>), then live changes. It keeps the roster it
/// told the client, so an event that raced the initial sync is sent as what it means to this client (a create of someone
/// already listed is an update; a delete of someone never listed is nothing). Not thread-safe: one stream, one reader.
/// </summary>
internal sealed class ClientEventTranslator(string conference, string participantId)
{
    private readonly Dictionary<string, RosterEntry> _roster = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private IReadOnlyList<StageEntry>? _stage;

    /// <summary>Set once this participant is gone: the stream sends <c>disconnect</c> and ends.</summary>
    public bool Ended { get; private set; }

    /// <summary>The media nodes of the roster (where to ask who is speaking).</summary>
    public IReadOnlyCollection<string> MediaNodes => _roster.Values.Select(p => p.MediaNode).ToHashSet(StringComparer.Ordinal);

    public int Count => _roster.Count;

    public IReadOnlyList<ClientEvent> Sync(ConferenceStatus status)
    {
        var events = new List<ClientEvent> { new("participant_sync_begin", null) };
        foreach (var p in status.Participants)
        {
            var entry = RosterEntry.From(p);
            Set(entry);
            events.Add(new("participant_create", entry.ToJson()));
        }
        events.Add(new("participant_sync_end", null));
        events.Add(new("conference_update", ConferenceUpdate(status.IsLocked, status.GuestsMuted)));
        return events;
    }

    public IReadOnlyList<ClientEvent> On(ConferenceEvent @event)
    {
        if (Ended || @event.Conference != conference) return [];
        switch (@event)
        {
            case ParticipantConnected { Participant: var p }:
                return [Upsert(RosterEntry.From(p))];
            case ParticipantUpdated { Participant: var p }:
                return [Upsert(RosterEntry.From(p))];
            case ParticipantDisconnected { Participant: var p } left:
                var events = new List<ClientEvent>();
                if (_roster.Remove(p.ParticipantId))
                {
                    _order.Remove(p.ParticipantId);
                    events.Add(new("participant_delete", new ParticipantDeleteObject(p.ParticipantId)));
                }
                if (p.ParticipantId == participantId) events.Add(End(left.Reason));
                return events;
            case ConferenceUpdated { Info: var info }:
                return [new("conference_update", ConferenceUpdate(info.IsLocked, info.GuestsMuted))];
            case ConferenceEnded ended:
                return [End($"Conference ended: {ended.Reason}")];
            default:
                return [];
        }
    }

    public IReadOnlyList<ClientEvent> On(ClientParticipantEvent @event)
    {
        if (Ended || @event.ParticipantId != participantId) return [];
        return @event switch
        {
            ClientCallDisconnected call => [new("call_disconnected", new CallDisconnectedObject(call.CallId, call.Reason, call.Reoffer))],
            ClientParticipantDisconnected gone => [End(gone.Reason)],
            _ => [],
        };
    }

    /// <summary>The participant's signalling node left the cluster: its call is gone with it.</summary>
    public ClientEvent SignalingNodeFailed(string node) => End($"Conferencing Node {node} failed");

    /// <summary>
    /// <c>stage</c>: every participant in roster order, those speaking first with vad 100; null when nothing changed
    /// since the last one sent.
    /// </summary>
    public ClientEvent? Stage(IReadOnlySet<string> speaking)
    {
        if (Ended) return null;
        var ordered = _order.Where(speaking.Contains).Concat(_order.Where(id => !speaking.Contains(id)));
        var stage = ordered.Select((id, index) => new StageEntry(id, index, speaking.Contains(id) ? 100 : 0)).ToList();
        if (_stage is not null && _stage.SequenceEqual(stage)) return null;
        _stage = stage;
        return new("stage", stage);
    }

    private ClientEvent Upsert(RosterEntry entry)
    {
        var known = _roster.ContainsKey(entry.ParticipantId);
        Set(entry);
        return new(known ? "participant_update" : "participant_create", entry.ToJson());
    }

    private void Set(RosterEntry entry)
    {
        if (!_roster.ContainsKey(entry.ParticipantId)) _order.Add(entry.ParticipantId);
        _roster[entry.ParticipantId] = entry;
    }

    private ClientEvent End(string reason)
    {
        Ended = true;
        return new("disconnect", new DisconnectObject(reason));
    }

    private static ConferenceUpdateObject ConferenceUpdate(bool locked, bool guestsMuted) =>
        new(locked, Started: true, guestsMuted, AllMuted: false, PresentationAllowed: false, DirectMedia: false, GuestsCanUnmute: !guestsMuted);
}
