using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.Tests.WebRtc.Support;
using ConferenceCluster.Media.WebRtc.Ice;
using ConferenceCluster.Media.WebRtc.Stun;
using Microsoft.Extensions.Time.Testing;

namespace ConferenceCluster.Media.Tests.WebRtc.Ice;

/// <summary>The ICE-lite agent answering a browser's checks (RFC 8445 §7.3, RFC 5389 §10.1.2, RFC 7675).</summary>
public class IceLiteAgentTests
{
    private static readonly IceCredentials Server = new("srvU", "serverpassword0123456789");
    private const string BrowserUfrag = "brwU";
    private readonly FakeTimeProvider _clock = new();
    private readonly byte[] _response = new byte[512];

    private static SocketAddress Address(string ip, int port) => new IPEndPoint(IPAddress.Parse(ip), port).Serialize();

    [Fact]
    public void A_valid_check_is_answered_with_a_signed_success_naming_the_source_and_validates_it()
    {
        using var agent = new IceLiteAgent(Server, BrowserUfrag, _clock);
        SocketAddress browser = Address("192.0.2.7", 50000);
        Assert.False(agent.IsValidated(browser));

        StunOutcome outcome = agent.ProcessStun(StunRequests.Check("srvU", BrowserUfrag, Server.Password), browser, _response, out int length);

        Assert.Equal(StunOutcome.Answered, outcome);
        Assert.True(StunMessage.TryParse(_response.AsSpan(0, length), out StunMessage response));
        Assert.Equal(StunMessageType.BindingSuccessResponse, response.Type);
        using var integrity = StunIntegrity.ForPassword(Server.Password);
        Assert.True(integrity.Verify(response)); // signed with the server's password (RFC 8445 §7.3.1.2)
        Assert.True(StunIntegrity.VerifyFingerprint(response));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 50000), StunMessageWriter.ReadXorMappedAddress(response));
        Assert.True(agent.IsValidated(browser));
        Assert.Equal(IceLiteState.Connected, agent.State);
        Assert.Equal(browser, agent.SelectedAddress);
    }

    [Fact]
    public void Use_candidate_selects_its_source_and_completes()
    {
        using var agent = new IceLiteAgent(Server, BrowserUfrag, _clock);
        SocketAddress first = Address("192.0.2.7", 50000), nominated = Address("127.0.0.1", 50002);
        agent.ProcessStun(StunRequests.Check("srvU", BrowserUfrag, Server.Password), first, _response, out _);
        agent.ProcessStun(StunRequests.Check("srvU", BrowserUfrag, Server.Password, useCandidate: true), nominated, _response, out _);

        Assert.Equal(IceLiteState.Completed, agent.State);
        Assert.Equal(nominated, agent.SelectedAddress);
        Assert.True(agent.IsValidated(first)); // both passed a check
        Assert.True(agent.IsValidated(nominated));
    }

    [Theory]
    [InlineData("srvU", "other", "serverpassword0123456789", 401)] // the browser's ufrag is not the offer's
    [InlineData("nope", BrowserUfrag, "serverpassword0123456789", 401)] // not our ufrag
    [InlineData("srvU", BrowserUfrag, "some-other-password-0123", 401)] // integrity with another key
    public void A_check_with_wrong_credentials_gets_401_and_validates_nothing(string serverUfrag, string browserUfrag, string password, int expected)
    {
        using var agent = new IceLiteAgent(Server, BrowserUfrag, _clock);
        SocketAddress source = Address("192.0.2.9", 4000);
        StunOutcome outcome = agent.ProcessStun(StunRequests.Check(serverUfrag, browserUfrag, password), source, _response, out int length);

        Assert.Equal(StunOutcome.Rejected, outcome);
        Assert.True(StunMessage.TryParse(_response.AsSpan(0, length), out StunMessage response));
        Assert.Equal(StunMessageType.BindingErrorResponse, response.Type);
        Assert.Equal(expected, response.ErrorCode);
        Assert.False(agent.IsValidated(source));
        Assert.Null(agent.SelectedAddress);
        Assert.Equal(1, agent.GetStatistics().Unauthorized);
    }

    [Fact]
    public void A_check_without_priority_or_integrity_gets_400()
    {
        using var agent = new IceLiteAgent(Server, BrowserUfrag, _clock);
        SocketAddress source = Address("192.0.2.9", 4000);
        Assert.Equal(StunOutcome.Rejected, agent.ProcessStun(StunRequests.Check("srvU", BrowserUfrag, Server.Password, priority: false), source, _response, out int length));
        Assert.True(StunMessage.TryParse(_response.AsSpan(0, length), out StunMessage response));
        Assert.Equal(400, response.ErrorCode);
        Assert.Equal(StunOutcome.Rejected, agent.ProcessStun(StunRequests.Check("srvU", BrowserUfrag, Server.Password, integrity: false), source, _response, out _));
        Assert.Equal(2, agent.GetStatistics().BadRequests);
        Assert.False(agent.IsValidated(source));
    }

    [Fact]
    public void A_check_without_fingerprint_or_garbage_is_dropped_unanswered()
    {
        using var agent = new IceLiteAgent(Server, BrowserUfrag, _clock);
        SocketAddress source = Address("192.0.2.9", 4000);
        Assert.Equal(StunOutcome.Dropped, agent.ProcessStun(StunRequests.Check("srvU", BrowserUfrag, Server.Password, fingerprint: false), source, _response, out int length));
        Assert.Equal(0, length);
        Assert.Equal(StunOutcome.Dropped, agent.ProcessStun(new byte[] { 0, 1, 0, 0 }, source, _response, out _));
        Assert.Equal(2, agent.GetStatistics().Dropped);
    }

    // RFC 7675 §5.1: consent expires 30 s after the last answered check; checks renew it.
    [Fact]
    public void Consent_lapses_without_checks_and_returns_with_the_next_one()
    {
        using var agent = new IceLiteAgent(Server, BrowserUfrag, _clock, TimeSpan.FromSeconds(30));
        SocketAddress browser = Address("192.0.2.7", 50000);
        agent.ProcessStun(StunRequests.Check("srvU", BrowserUfrag, Server.Password, useCandidate: true), browser, _response, out _);
        _clock.Advance(TimeSpan.FromSeconds(25));
        agent.ProcessStun(StunRequests.Check("srvU", BrowserUfrag, Server.Password), browser, _response, out _); // a consent check
        _clock.Advance(TimeSpan.FromSeconds(25));
        Assert.True(agent.HasConsent);
        Assert.True(agent.IsValidated(browser));

        _clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(IceLiteState.Disconnected, agent.State);
        Assert.False(agent.HasConsent);
        Assert.False(agent.IsValidated(browser)); // its media is ignored too

        agent.ProcessStun(StunRequests.Check("srvU", BrowserUfrag, Server.Password), browser, _response, out _);
        Assert.True(agent.HasConsent);
    }
}
