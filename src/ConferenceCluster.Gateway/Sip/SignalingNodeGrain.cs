using ConferenceCluster.Conferencing.Cluster;

namespace ConferenceCluster.Gateway.Sip;

/// <summary>One per silo, on it (silo-name placement): how other silos reach this silo's SIP gateway.</summary>
[SiloNamePlacement]
[KeepAlive]
public sealed class SignalingNodeGrain(SipGateway gateway) : Grain, ISignalingNodeGrain
{
    public Task Dtmf(string participantId, string digits)
    {
        gateway.OnMediaDtmf(participantId, digits);
        return Task.CompletedTask;
    }
}
