using ConferenceCluster.Runtime.Core;

namespace ConferenceCluster.Gateway.Sip;

[SiloPinnedPlacement]
[CollectionAgeLimit(AlwaysActive = true)]
public sealed class SignalingNodeGrain(SipGateway gateway) : Grain, ISignalingNodeGrain
{
    public Task Dtmf(string participantId, string digits)
    {
        gateway.OnMediaDtmf(participantId, digits);
        return Task.CompletedTask;
    }
}
