using ConferenceCluster.Conferencing.Cluster;
using Orleans.Concurrency;

namespace ConferenceCluster.Gateway.Client;

/// <summary>
/// One per silo, on it (silo-name placement): how any silo reaches the client-API participants this silo signals.
/// Reentrant: <see cref="ClientCalls"/> is thread-safe, and a call waits for its media node's answer.
/// </summary>
[SiloNamePlacement]
[KeepAlive]
[Reentrant]
public sealed class ClientSignalingGrain(ClientCalls calls) : Grain, IClientSignalingGrain
{
    public Task<ClientParticipantInfo?> GetParticipant(string participantId) => Task.FromResult(calls.GetParticipant(participantId));

    public Task<ClientParticipantInfo?> Refresh(string participantId, DateTimeOffset expiresAt) => Task.FromResult(calls.Refresh(participantId, expiresAt));

    public Task<ClientCallResult> Call(string participantId, string offerSdp) => calls.CallAsync(participantId, offerSdp);

    public Task<bool> Ack(string participantId, string callId) => Task.FromResult(calls.Ack(participantId, callId));

    public Task<bool> DisconnectCall(string participantId, string callId) => calls.DisconnectCallAsync(participantId, callId);

    public Task<bool> Release(string participantId) => calls.ReleaseAsync(participantId);
}
