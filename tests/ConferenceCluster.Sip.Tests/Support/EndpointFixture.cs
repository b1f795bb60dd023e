using System.Net;
using ConferenceCluster.Sip.Transport;
using ConferenceCluster.Sip.UserAgent;

namespace ConferenceCluster.Sip.Tests.Support;

/// <summary>A started <see cref="SipEndpoint"/> on 127.0.0.1 and an ephemeral port, with a manual clock.</summary>
public sealed class EndpointFixture : IAsyncDisposable
{
    /// <param name="realClock">Use the system clock (for real peers that need our retransmissions), not the manual one.</param>
    public EndpointFixture(TestCallHandler? handler = null, SipEndpointOptions? options = null, bool realClock = false)
    {
        Handler = handler ?? new TestCallHandler();
        Clock = new ManualTimeProvider();
        Endpoint = new SipEndpoint(Handler, options ?? new SipEndpointOptions
        {
            Transport = new SipTransportOptions { BindAddress = IPAddress.Loopback, Port = 0 },
        }, realClock ? TimeProvider.System : Clock);
        Endpoint.Start();
    }

    public TestCallHandler Handler { get; }

    public ManualTimeProvider Clock { get; }

    public SipEndpoint Endpoint { get; }

    public SipTestPeer UdpPeer() => SipTestPeer.Udp(Endpoint.Port);

    public SipTestPeer TcpPeer() => SipTestPeer.Tcp(Endpoint.Port);

    public ValueTask DisposeAsync() => Endpoint.DisposeAsync();
}
