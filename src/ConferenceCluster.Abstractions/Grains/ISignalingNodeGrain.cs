
namespace ConferenceCluster.Gateway.Sip;

/// <summary>
/// The SIP gateway of one silo (key = silo name) as other silos reach it: a media node passing on DTMF heard in a
/// leg's RTP to the node that holds the leg's signalling.
/// </summary>
[Alias("cc.ISignalingNodeGrain")]
public interface ISignalingNodeGrain : IGrainWithStringKey
{
    [Alias("Dtmf")]
    [OneWay]
    Task Dtmf(string participantId, string digits);
}
