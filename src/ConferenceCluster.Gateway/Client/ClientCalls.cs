using System.Collections.Concurrent;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Cluster;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Events;
using ConferenceCluster.Conferencing.Grains;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Services;
using ConferenceCluster.Gateway.Admission;
using ConferenceCluster.Gateway.Media;
using ConferenceCluster.Gateway.Sip;
using ConferenceCluster.Media.Transport;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace ConferenceCluster.Gateway.Client;

/// <summary>A participant asking to join through the client API (request_token).</summary>
/// <param name="Pin">The <c>pin</c> header: absent (null), <c>none</c> (a Guest without a PIN), or the PIN.</param>
public sealed record ClientJoinRequest(string Alias, string DisplayName, string? Pin, string RemoteAddress);

/// <summary>How a request_token ended.</summary>
public abstract record ClientJoinOutcome
{
    private ClientJoinOutcome() { }

    /// <summary>In the conference, or waiting for its host (<paramref name="Waiting"/>); the token is its key from now on.</summary>
    public sealed record Joined(ClientToken Token, string TokenText, string Conference, string DisplayName, ParticipantRole Role, bool Waiting) : ClientJoinOutcome;

    /// <summary>No such conference, or one this caller may not see (break-in resistance, L4365): Pexip's 404.</summary>
    public sealed record NotFound : ClientJoinOutcome;

    /// <summary>A PIN is needed (R-PIN-2); <paramref name="GuestsWithoutPin"/>: Guests may join with <c>pin: none</c> (row 3).</summary>
    public sealed record PinRequired(bool GuestsWithoutPin) : ClientJoinOutcome;

    /// <summary>A wrong PIN: refused, counted by break-in resistance; no attempt limit for the client API (R-PIN-7).</summary>
    public sealed record InvalidPin : ClientJoinOutcome;

    /// <summary>The node takes no new calls (maintenance, draining, R-NODE-4).</summary>
    public sealed record NotAcceptingCalls : ClientJoinOutcome;

    /// <summary>The conference refused the join (capacity, participant limit ...), with its message.</summary>
    public sealed record Rejected(JoinRejectionReason? Reason, string Message) : ClientJoinOutcome;
}

/// <summary>
/// The client-API (browser) participants this silo signals, as the SIP gateway is for SIP calls: request_token joins the
/// conference through a ParticipantGrain on this silo (PIN and role rules, waiting for the host, the lock), a call puts
/// the browser's WebRTC leg on the media node the conference chose (through a proxying edge's relay when it placed the
/// call behind one), and what the conference does to the participant (admit, mute, move, disconnect) reaches the
/// browser's event stream. Thread-safe.
/// </summary>
public sealed class ClientCalls : ICallLegObserver, IAsyncDisposable
{
    /// <summary>A media call made just as the conference admits the participant waits this long for the admission to arrive.</summary>
    internal static readonly TimeSpan AdmissionWait = TimeSpan.FromSeconds(10);

    /// <summary>After its token expired, a participant gets this much longer (a refresh on its way) before it is disconnected.</summary>
    internal static readonly TimeSpan ExpiryGrace = TimeSpan.FromSeconds(10);

    private readonly IGrainFactory _grains;
    private readonly IClusterClient _client;
    private readonly LocalNode _silo;
    private readonly ClusterNodes _nodes;
    private readonly MembershipChanges _membership;
    private readonly ConfigurationView _configuration;
    private readonly CallAdmission _admission;
    private readonly SipGateway _sip;
    private readonly ClientTokens _tokens;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ClientParticipant> _participants = new(StringComparer.Ordinal);

    public ClientCalls(IGrainFactory grains, IClusterClient client, LocalNode silo, ClusterNodes nodes, MembershipChanges membership,
        ConfigurationView configuration, CallAdmission admission, SipGateway sip, ClientTokens tokens, TimeProvider time, ILogger<ClientCalls> logger)
    {
        _grains = grains;
        _client = client;
        _silo = silo;
        _nodes = nodes;
        _membership = membership;
        _membership.Changed += OnMembershipChanged;
        _configuration = configuration;
        _admission = admission;
        _sip = sip;
        _tokens = tokens;
        _time = time;
        _logger = logger;
    }

    public ClientTokens Tokens => _tokens;

    public int ActiveParticipants => _participants.Count;

    /// <summary>
    /// request_token: finds the room, applies break-in resistance and the PIN rules for client-API participants (no
    /// prompts, no attempt limit, no timeout, optional <c>#</c>: R-PIN-7), then joins the conference as SIP calls do.
    /// </summary>
    public async Task<ClientJoinOutcome> RequestTokenAsync(ClientJoinRequest request, CancellationToken cancellationToken)
    {
        // Maintenance mode or draining: checked first, so nothing is joined (R-NODE-4, L11666).
        if (!_sip.AcceptsNewCalls) return new ClientJoinOutcome.NotAcceptingCalls();
        if (_admission.CheckCaller(request.RemoteAddress, request.Alias) is { Allowed: false } quarantined)
        {
            _logger.LogWarning("{Message}", quarantined.LogMessage);
            return new ClientJoinOutcome.NotFound();
        }
        var room = await _admission.FindRoomAsync(request.Alias, null, cancellationToken).ConfigureAwait(false);
        if (room is null)
        {
            _admission.RecordUnknownAlias(request.RemoteAddress);
            return new ClientJoinOutcome.NotFound();
        }
        if (_admission.CheckService(room.Name, request.DisplayName, request.RemoteAddress) is { Allowed: false } blocked)
        {
            _logger.LogWarning("{Message}", blocked.LogMessage);
            return new ClientJoinOutcome.NotFound();
        }

        var pins = PinPolicy.For(room);
        ParticipantRole role;
        if (!pins.RequiresPinEntry)
        {
            role = ParticipantRole.Host; // R-PIN-2 row 1: no PIN, everyone is a Host
        }
        else
        {
            var pin = request.Pin?.Trim();
            var none = string.IsNullOrEmpty(pin) || string.Equals(pin, "none", StringComparison.OrdinalIgnoreCase);
            // No PIN given: say which PINs exist. "none" is only an answer where Guests need no PIN (row 3).
            if (request.Pin is null || (none && !pins.GuestsJoinWithoutPin))
                return new ClientJoinOutcome.PinRequired(pins.GuestsJoinWithoutPin);
            var entry = new PinEntrySession(pins, PinEntryOptions.From(_configuration.Current.Global), _time, clientApi: true);
            entry.Start();
            ParticipantRole? admitted = null;
            foreach (var pinEvent in entry.Submit(none ? "" : pin!))
            {
                switch (pinEvent)
                {
                    case PinEntryEvent.PinAttempt attempt:
                        // Every attempt goes to the administrator log (R-PIN-4, L7009), never the digits; wrong ones count (L7007).
                        _logger.LogInformation("PIN attempt over the client API for {Conference} from {Address}: {Outcome}",
                            room.Name, request.RemoteAddress, attempt.Correct ? $"correct ({attempt.Role})" : "incorrect");
                        if (!attempt.Correct && _admission.RecordIncorrectPin(room.Name))
                            _logger.LogWarning("Break-in resistance now blocks {Conference}", room.Name);
                        break;
                    case PinEntryEvent.Admitted entered:
                        admitted = entered.Role;
                        break;
                }
            }
            if (admitted is not { } roleFromPin) return new ClientJoinOutcome.InvalidPin();
            role = roleFromPin;
        }
        return await JoinAsync(request, room.Name, role).ConfigureAwait(false);
    }

    private async Task<ClientJoinOutcome> JoinAsync(ClientJoinRequest request, string conference, ParticipantRole role)
    {
        var participant = new ClientParticipant(Guid.NewGuid().ToString(), conference, request.Alias, request.DisplayName, role, request.RemoteAddress);
        var token = _tokens.Issue(conference, participant.ParticipantId, _silo.Name);
        participant.ExpiresAt = token.ExpiresAt;
        // Known before the conference is asked: its answers (admitted, muted) may come before the join returns.
        _participants[participant.ParticipantId] = participant;
        JoinResult join;
        try
        {
            join = await _grains.GetGrain<IParticipantGrain>(participant.ParticipantId).Dial(new CallRequest(conference, CallMedia.Audio, role, request.DisplayName)
            {
                CallKind = CallKind.AudioOnly,
                Leg = new CallLeg(request.Alias, Protocol, request.RemoteAddress, "opus"),
            }).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _participants.TryRemove(participant.ParticipantId, out _);
            _logger.LogWarning(ex, "Browser join of {Conference} failed", conference);
            return new ClientJoinOutcome.Rejected(JoinRejectionReason.SignalingNodeUnknown, "The conference could not be reached; try again");
        }
        if (!join.Accepted)
        {
            _participants.TryRemove(participant.ParticipantId, out _);
            _logger.LogInformation("Browser join of {Conference} rejected: {Message}", conference, join.Message);
            return new ClientJoinOutcome.Rejected(join.Rejection, join.Message ?? "Join refused");
        }
        if (participant.HasEnded)
            return new ClientJoinOutcome.Rejected(null, "Disconnected while joining");
        lock (participant.Gate)
        {
            participant.Joined = true;
            if (!join.Waiting)
            {
                participant.MediaNode ??= join.MediaNode;
                participant.ProxyNode ??= join.MediaProxyNode;
            }
            participant.Waiting = participant.MediaNode is null;
            if (!participant.Waiting) participant.Admitted.TrySetResult();
            participant.ExpiryTimer = _time.CreateTimer(_ => OnExpiryTimer(participant), null, token.ExpiresAt - _time.GetUtcNow() + ExpiryGrace, Timeout.InfiniteTimeSpan);
        }
        _logger.LogInformation("Browser {Participant} ({Name}) joined {Conference} as {Role}{Waiting}", participant.ParticipantId, request.DisplayName, conference, role,
            participant.Waiting ? ", waiting for the host" : $", media on {join.MediaNode}");
        return new ClientJoinOutcome.Joined(token, _tokens.Encode(token), conference, request.DisplayName, role, participant.Waiting);
    }

    /// <summary>The protocol browsers show in the status and history APIs (SIP calls show SIP/UDP, SIP/TCP).</summary>
    public const string Protocol = "WebRTC";

    public ClientParticipantInfo? GetParticipant(string participantId) =>
        _participants.TryGetValue(participantId, out var participant) && !participant.HasEnded ? participant.Info() : null;

    /// <summary>A token was refreshed: the participant lives until the new expiry (plus grace).</summary>
    public ClientParticipantInfo? Refresh(string participantId, DateTimeOffset expiresAt)
    {
        if (!_participants.TryGetValue(participantId, out var participant) || participant.HasEnded) return null;
        lock (participant.Gate)
        {
            if (expiresAt > participant.ExpiresAt)
            {
                participant.ExpiresAt = expiresAt;
                participant.ExpiryTimer?.Change(expiresAt - _time.GetUtcNow() + ExpiryGrace, Timeout.InfiniteTimeSpan);
            }
        }
        return participant.Info();
    }

    private void OnExpiryTimer(ClientParticipant participant)
    {
        DateTimeOffset expiresAt;
        lock (participant.Gate) expiresAt = participant.ExpiresAt;
        if (_time.GetUtcNow() < expiresAt) return; // refreshed meanwhile (the timer was moved too)
        _logger.LogInformation("Browser {Participant} did not refresh its token: disconnected", participant.ParticipantId);
        _ = EndAsync(participant, "Token expired", tellConference: true);
    }

    /// <summary>
    /// The browser's media call from its offer: its WebRTC leg on the media node the conference chose, through the edge's
    /// relay when it placed the call behind one (the answer's candidate is then the relay's outer port). A new call
    /// replaces the current one (a fresh offer after a move off a failed node, or a page that renegotiates).
    /// </summary>
    public async Task<ClientCallResult> CallAsync(string participantId, string offerSdp)
    {
        if (!_participants.TryGetValue(participantId, out var participant)) return new(ClientCallOutcome.Gone);
        // The admission and the browser's call race (its participant_create event and our OnAdmitted take different roads).
        if (!participant.Admitted.Task.IsCompleted)
            await Task.WhenAny(participant.Admitted.Task, Task.Delay(AdmissionWait, _time)).ConfigureAwait(false);
        await participant.CallGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (participant.HasEnded) return new(ClientCallOutcome.Gone);
            string? mediaNode, proxyNode;
            bool muted;
            lock (participant.Gate) (mediaNode, proxyNode, muted) = (participant.MediaNode, participant.ProxyNode, participant.Muted);
            if (mediaNode is null) return new(ClientCallOutcome.Waiting, Error: "Waiting for the host: make the call once admitted");
            if (!_nodes.IsActive(mediaNode) || (proxyNode is not null && !_nodes.IsActive(proxyNode)))
            {
                // A node of ours failed and the conference's word on where we go now has not reached us (yet): ask it.
                (mediaNode, proxyNode) = await CurrentPlacementAsync(participant).ConfigureAwait(false) ?? (mediaNode, proxyNode);
                if (!_nodes.IsActive(mediaNode) || (proxyNode is not null && !_nodes.IsActive(proxyNode)))
                    return new(ClientCallOutcome.MediaUnavailable, Error: $"The call is moving off failed Conferencing Node {mediaNode}; try again in a moment");
            }
            await RemoveCallMediaAsync(participant).ConfigureAwait(false);

            MediaRelayAddress? relay = null;
            try
            {
                if (proxyNode is not null)
                    relay = await _grains.GetGrain<IMediaNodeGrain>(proxyNode).AddWebRtcRelay(participant.Conference, participantId).ConfigureAwait(false);
                var answer = await _grains.GetGrain<IMediaNodeGrain>(mediaNode)
                    .AddWebRtcLeg(new WebRtcLegRequest(participant.Conference, participantId, offerSdp, relay?.Outer)).ConfigureAwait(false);
                if (!answer.Accepted)
                {
                    if (proxyNode is not null) await CallMediaPlaces.RemoveAsync(_grains, _nodes, participantId, null, proxyNode, _logger).ConfigureAwait(false);
                    return new(ClientCallOutcome.BadOffer, Error: answer.OfferError);
                }
                if (proxyNode is not null)
                    await _grains.GetGrain<IMediaNodeGrain>(proxyNode).ConnectRelay(participantId, answer.Leg!).ConfigureAwait(false);
                if (muted)
                    await _grains.GetGrain<IMediaNodeGrain>(mediaNode).SetMuted(participantId, true).ConfigureAwait(false);
                var callId = Guid.NewGuid().ToString();
                lock (participant.Gate)
                {
                    (participant.CallId, participant.CallMediaNode, participant.CallProxyNode) = (callId, mediaNode, proxyNode);
                    participant.CallAcknowledged = false;
                }
                _logger.LogInformation("Browser {Participant} call {Call}: media on {MediaNode}{Proxy}", participantId, callId, mediaNode,
                    proxyNode is null ? "" : $" through {proxyNode}");
                return new(ClientCallOutcome.Answered, callId, answer.AnswerSdp);
            }
            catch (Exception ex) when (IsTemporary(ex))
            {
                _logger.LogInformation("Browser {Participant}: no media leg on {MediaNode} now ({Error})", participantId, mediaNode, ex.Message);
                await CallMediaPlaces.RemoveAsync(_grains, _nodes, participantId, mediaNode, proxyNode, _logger).ConfigureAwait(false);
                return new(ClientCallOutcome.MediaUnavailable, Error: $"Conferencing Node {mediaNode} cannot take the call now; try again");
            }
        }
        finally
        {
            participant.CallGate.Release();
        }
    }

    public bool Ack(string participantId, string callId)
    {
        if (!_participants.TryGetValue(participantId, out var participant) || participant.HasEnded) return false;
        lock (participant.Gate)
        {
            if (participant.CallId != callId) return false;
            participant.CallAcknowledged = true;
            return true;
        }
    }

    /// <summary>Ends the media call only (calls/&lt;uuid&gt;/disconnect); the participant stays in the conference.</summary>
    public async Task<bool> DisconnectCallAsync(string participantId, string callId)
    {
        if (!_participants.TryGetValue(participantId, out var participant)) return false;
        await participant.CallGate.WaitAsync().ConfigureAwait(false);
        try
        {
            lock (participant.Gate)
                if (participant.HasEnded || participant.CallId != callId) return false;
            await RemoveCallMediaAsync(participant).ConfigureAwait(false);
            return true;
        }
        finally
        {
            participant.CallGate.Release();
        }
    }

    /// <summary>The participant leaves (release_token, or it disconnected itself); false if it was gone already.</summary>
    public Task<bool> ReleaseAsync(string participantId) =>
        _participants.TryGetValue(participantId, out var participant)
            ? EndAsync(participant, "Participant released its token", tellConference: true)
            : Task.FromResult(false);

    // ---- what the conference does to the participant (ICallLegObserver, called in the ParticipantGrain's turn: no blocking) ----

    public void OnDisconnectedByConference(string participantId, string conference, string reason)
    {
        if (_participants.TryGetValue(participantId, out var participant))
            _ = EndAsync(participant, reason, tellConference: false); // the conference has already let it go
    }

    public void OnAdmitted(string participantId, string conference, JoinResult result)
    {
        if (!_participants.TryGetValue(participantId, out var participant) || result.MediaNode is null) return;
        lock (participant.Gate)
        {
            (participant.MediaNode, participant.ProxyNode, participant.Waiting) = (result.MediaNode, result.MediaProxyNode, false);
        }
        participant.Admitted.TrySetResult();
        _logger.LogInformation("Browser {Participant} admitted to {Conference}: media on {MediaNode}", participantId, conference, result.MediaNode);
    }

    public void OnMuted(string participantId, string conference, bool muted)
    {
        if (!_participants.TryGetValue(participantId, out var participant)) return;
        string? callNode;
        lock (participant.Gate)
        {
            participant.Muted = muted;
            callNode = participant.CallMediaNode;
        }
        if (callNode is not null)
            _ = _grains.GetGrain<IMediaNodeGrain>(callNode).SetMuted(participantId, muted)
                .ContinueWith(t => _logger.LogWarning(t.Exception, "Could not mute browser {Participant}", participantId), TaskContinuationOptions.OnlyOnFaulted);
    }

    /// <summary>
    /// The participant's media (or proxying) node failed and the conference placed it again. Its DTLS association and keys
    /// died with the node, so the browser makes a fresh offer to the new node (docs/decisions.md, "Failover of a browser"):
    /// what the call had on surviving nodes goes, and the browser is told over its event stream (<c>call_disconnected</c>).
    /// </summary>
    public void OnMediaMoved(string participantId, string conference, JoinResult result)
    {
        if (!_participants.TryGetValue(participantId, out var participant) || result.MediaNode is null) return;
        lock (participant.Gate) (participant.MediaNode, participant.ProxyNode) = (result.MediaNode, result.MediaProxyNode);
        _logger.LogInformation("Browser {Participant}: the conference moved its media to {MediaNode}", participantId, result.MediaNode);
        // A call already on the new nodes (the browser re-offered as soon as this silo saw the node fail) stays.
        _ = Task.Run(() => EndStaleCallAsync(participant, p => p.CallMediaNode != result.MediaNode || p.CallProxyNode != result.MediaProxyNode,
            $"The media moved to Conferencing Node {result.MediaNode}: make a new call"));
    }

    /// <summary>
    /// A node left the cluster: every call here whose leg or relay was on it is over, and its browser is asked for a new
    /// offer at once, without waiting for the conference's notice (which may come late, or be lost with the node); the
    /// new call goes where the conference has placed the participant by then (<see cref="CurrentPlacementAsync"/>).
    /// </summary>
    private void OnMembershipChanged(Orleans.Runtime.ClusterMembershipSnapshot snapshot)
    {
        bool Gone(string? node) => node is not null && !snapshot.Members.Values.Any(m => m.Name == node && m.Status == Orleans.Runtime.SiloStatus.Active);
        foreach (var participant in _participants.Values)
        {
            string? mediaNode, proxyNode;
            lock (participant.Gate) (mediaNode, proxyNode) = (participant.CallMediaNode, participant.CallProxyNode);
            if (Gone(mediaNode) || Gone(proxyNode))
                _ = Task.Run(() => EndStaleCallAsync(participant, p => Gone(p.CallMediaNode) || Gone(p.CallProxyNode),
                    $"Conferencing Node {(Gone(mediaNode) ? mediaNode : proxyNode)} failed: make a new call"));
        }
    }

    /// <summary>Ends the participant's media call if <paramref name="stale"/> still holds for it, and asks the browser for a new offer.</summary>
    private async Task EndStaleCallAsync(ClientParticipant participant, Func<ClientParticipant, bool> stale, string reason)
    {
        await participant.CallGate.WaitAsync().ConfigureAwait(false);
        try
        {
            string? callId;
            lock (participant.Gate) callId = participant.CallId is not null && stale(participant) ? participant.CallId : null;
            if (callId is null || participant.HasEnded) return;
            await RemoveCallMediaAsync(participant).ConfigureAwait(false);
            Publish(participant, new ClientCallDisconnected(participant.ParticipantId, callId, reason, Reoffer: true));
            _logger.LogInformation("Browser {Participant}: call {Call} ended ({Reason}); asked for a new offer", participant.ParticipantId, callId, reason);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Browser {Participant}: its call could not be ended", participant.ParticipantId);
        }
        finally
        {
            participant.CallGate.Release();
        }
    }

    /// <summary>Where the conference has the participant's media now (null when it is not in the conference, or unreachable).</summary>
    private async Task<(string MediaNode, string? ProxyNode)?> CurrentPlacementAsync(ClientParticipant participant)
    {
        try
        {
            var status = await _grains.GetGrain<IConferenceGrain>(participant.Conference).GetStatus().ConfigureAwait(false);
            if (status.Participants.FirstOrDefault(p => p.ParticipantId == participant.ParticipantId) is not { } mine) return null;
            lock (participant.Gate) (participant.MediaNode, participant.ProxyNode) = (mine.MediaNode, mine.MediaProxyNode);
            return (mine.MediaNode, mine.MediaProxyNode);
        }
        catch (Exception ex)
        {
            _logger.LogInformation("Browser {Participant}: its conference did not say where its media is ({Error})", participant.ParticipantId, ex.Message);
            return null;
        }
    }

    // ---- the end ----

    private async Task<bool> EndAsync(ClientParticipant participant, string reason, bool tellConference)
    {
        if (!participant.TryEnd()) return false;
        _participants.TryRemove(participant.ParticipantId, out _);
        participant.ExpiryTimer?.Dispose();
        participant.Admitted.TrySetResult();
        await participant.CallGate.WaitAsync().ConfigureAwait(false);
        try
        {
            string? mediaNode;
            bool joined;
            lock (participant.Gate) (mediaNode, joined) = (participant.CallMediaNode, participant.Joined);
            try
            {
                if (tellConference && joined)
                    await _grains.GetGrain<IParticipantGrain>(participant.ParticipantId)
                        .Hangup(await CallMediaPlaces.QualityAsync(_grains, _nodes, participant.ParticipantId, mediaNode).ConfigureAwait(false)).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Browser {Participant}: telling {Conference} it left failed", participant.ParticipantId, participant.Conference);
            }
            await RemoveCallMediaAsync(participant).ConfigureAwait(false);
        }
        finally
        {
            participant.CallGate.Release();
        }
        Publish(participant, new ClientParticipantDisconnected(participant.ParticipantId, reason));
        _logger.LogInformation("Browser {Participant} left {Conference}: {Reason}", participant.ParticipantId, participant.Conference, reason);
        return true;
    }

    /// <summary>Takes the current media call's leg and relay away (callers hold <see cref="ClientParticipant.CallGate"/>).</summary>
    private async Task RemoveCallMediaAsync(ClientParticipant participant)
    {
        string? mediaNode, proxyNode;
        lock (participant.Gate)
        {
            (mediaNode, proxyNode) = (participant.CallMediaNode, participant.CallProxyNode);
            (participant.CallId, participant.CallMediaNode, participant.CallProxyNode, participant.CallAcknowledged) = (null, null, null, false);
        }
        await CallMediaPlaces.RemoveAsync(_grains, _nodes, participant.ParticipantId, mediaNode, proxyNode, _logger).ConfigureAwait(false);
    }

    /// <summary>A private event on the participant's stream, after the ones before it.</summary>
    private void Publish(ClientParticipant participant, ClientParticipantEvent @event)
    {
        lock (participant.Gate)
            participant.LastPublished = participant.LastPublished.ContinueWith(_ => PublishAsync(@event), TaskScheduler.Default).Unwrap();
    }

    private async Task PublishAsync(ClientParticipantEvent @event)
    {
        try
        {
            await _client.GetStreamProvider(ConferenceEventStreams.Provider)
                .GetStream<ClientParticipantEvent>(StreamId.Create(ClientParticipantEventStreams.Namespace, @event.ParticipantId))
                .OnNextAsync(@event).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogInformation("{Event} of browser {Participant} not produced ({Error})", @event.GetType().Name, @event.ParticipantId, ex.Message);
        }
    }

    /// <summary>A node that cannot be reached now, or one out of media ports, may take the call on a retry.</summary>
    private static bool IsTemporary(Exception ex) =>
        ex is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException or MediaPortsExhaustedException
            || ex.InnerException is MediaPortsExhaustedException;

    public ValueTask DisposeAsync()
    {
        _membership.Changed -= OnMembershipChanged;
        foreach (var participant in _participants.Values) participant.ExpiryTimer?.Dispose();
        return ValueTask.CompletedTask;
    }
}
