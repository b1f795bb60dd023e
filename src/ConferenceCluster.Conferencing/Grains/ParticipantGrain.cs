using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Services;
using Orleans.Placement;
using Orleans.Runtime;

namespace ConferenceCluster.Conferencing.Grains;

/// <summary>
/// One call leg, on the silo that received the call (prefer-local placement: the SIP gateway of that silo activates
/// it), so the signalling node is simply this silo (R17). Kept while the call lasts; lingers briefly after it ends so
/// the gateway can read why. A call waiting for the host is <see cref="CallLegState.Connected"/> with
/// <see cref="CallLegStatus.Waiting"/> set and no media node until <see cref="Admitted"/>.
/// </summary>
[PreferLocalPlacement]
[KeepAlive]
public sealed class ParticipantGrain(ConferencingOptions options, ILocalSiloDetails silo, IEnumerable<ICallLegObserver> observers) : Grain, IParticipantGrain
{
    private CallLegStatus _status = null!;
    private IDisposable? _linger;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _status = new CallLegStatus(this.GetPrimaryKeyString(), CallLegState.Idle, null, null, null, null, null);
        return Task.CompletedTask;
    }

    public async Task<JoinResult> Dial(CallRequest call)
    {
        if (_status.State == CallLegState.Connected)
            throw new InvalidOperationException($"Call {_status.ParticipantId} is already connected to {_status.Conference}.");
        _linger?.Dispose();
        var kind = call.CallKind ?? (call.Media.AudioOnly ? CallKind.AudioOnly : CallKind.Video);
        var result = await GrainFactory.GetGrain<IConferenceGrain>(call.Conference)
            .Join(new JoinRequest(this.GetPrimaryKeyString(), silo.Name, call.Media, call.Role, call.DisplayName, CallKind: kind, Arrival: call.Arrival, Leg: call.Leg));
        _status = result.Accepted
            ? new CallLegStatus(_status.ParticipantId, CallLegState.Connected, call.Conference, silo.Name, result.MediaNode, result.MediaProxyNode, null, result.Waiting)
            : new CallLegStatus(_status.ParticipantId, CallLegState.Rejected, call.Conference, silo.Name, null, null, result.Message);
        if (!result.Accepted) Linger();
        return result;
    }

    public Task Hangup() => Hangup(null);

    public async Task Hangup(CallQuality? quality)
    {
        if (_status is { State: CallLegState.Connected, Conference: { } conference })
            await GrainFactory.GetGrain<IConferenceGrain>(conference).Leave(_status.ParticipantId, quality);
        Ended("Participant hung up");
    }

    public Task Disconnected(string conference, string reason)
    {
        if (!IsIn(conference))
            return Task.CompletedTask;
        Ended(reason);
        // The signalling side (the SIP gateway of this silo) ends the call with the endpoint.
        foreach (var observer in observers)
            observer.OnDisconnectedByConference(_status.ParticipantId, conference, reason);
        return Task.CompletedTask;
    }

    public Task Admitted(string conference, JoinResult result)
    {
        if (!IsIn(conference) || !_status.Waiting) return Task.CompletedTask;
        _status = _status with { MediaNode = result.MediaNode, MediaProxyNode = result.MediaProxyNode, Waiting = false };
        foreach (var observer in observers)
            observer.OnAdmitted(_status.ParticipantId, conference, result);
        return Task.CompletedTask;
    }

    public Task MediaMoved(string conference, JoinResult result)
    {
        if (!IsIn(conference)) return Task.CompletedTask;
        _status = _status with { MediaNode = result.MediaNode, MediaProxyNode = result.MediaProxyNode };
        foreach (var observer in observers)
            observer.OnMediaMoved(_status.ParticipantId, conference, result);
        return Task.CompletedTask;
    }

    public Task Prompt(string conference, string promptId)
    {
        if (!IsIn(conference)) return Task.CompletedTask;
        foreach (var observer in observers)
            observer.OnPrompt(_status.ParticipantId, conference, promptId);
        return Task.CompletedTask;
    }

    public Task Muted(string conference, bool muted)
    {
        if (!IsIn(conference)) return Task.CompletedTask;
        foreach (var observer in observers)
            observer.OnMuted(_status.ParticipantId, conference, muted);
        return Task.CompletedTask;
    }

    public Task<CallLegStatus> GetStatus() => Task.FromResult(_status);

    /// <summary>A notice from the conference this call is in (or waiting in); late notices to an ended call are dropped.</summary>
    private bool IsIn(string conference)
    {
        if (_status.Conference == conference && _status.State == CallLegState.Connected) return true;
        // A notice to a leg whose silo died activates a fresh, idle grain here: nothing to keep (it is never collected otherwise).
        if (_status.State == CallLegState.Idle) DeactivateOnIdle();
        return false;
    }

    private void Ended(string reason)
    {
        _status = _status with { State = CallLegState.Disconnected, DisconnectReason = _status.DisconnectReason ?? reason, Waiting = false };
        Linger();
    }

    private void Linger()
    {
        _linger?.Dispose();
        _linger = this.RegisterGrainTimer(_ =>
        {
            DeactivateOnIdle();
            return Task.CompletedTask;
        }, options.EndedCallLinger, Timeout.InfiniteTimeSpan);
    }
}
