using System.Text;
using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Messages;
using ConferenceCluster.Sip.Sdp;
using ConferenceCluster.Sip.Tests.Support;
using ConferenceCluster.Sip.Transport;
using ConferenceCluster.Sip.UserAgent;

namespace ConferenceCluster.Sip.Tests.UserAgent;

/// <summary>Peers that bend the rules: RFC 2543 branches, out-of-order CSeq.</summary>
public class UasCompatibilityTests
{
    [Fact]
    public async Task Rfc3261_17_2_3_RFC_2543_INVITE_without_magic_cookie_is_matched_for_retransmission_and_CANCEL()
    {
        var handler = TestCallHandler.NeverDeciding(out _);
        await using var fixture = new EndpointFixture(handler);
        using var peer = fixture.UdpPeer();
        var dialog = new TestDialog(peer);
        var invite = dialog.Build(SipMethods.Invite, "old2543branch", 1, TestDialog.Offer, "application/sdp");
        peer.Send(invite);
        peer.ExpectResponse(100, SipMethods.Invite);
        peer.Send(invite);
        peer.ExpectResponse(100, SipMethods.Invite);
        await TestCallHandler.Next(handler.Invites);

        peer.Send(dialog.Build(SipMethods.Cancel, "old2543branch", 1, withToTag: false));
        var responses = new[] { peer.Receive(), peer.Receive() }.Cast<SipResponse>().ToList();
        Assert.Contains(responses, r => r.StatusCode == 200 && r.CSeq?.Method == SipMethods.Cancel);
        Assert.Contains(responses, r => r.StatusCode == 487 && r.CSeq?.Method == SipMethods.Invite);
        Assert.Equal(1, handler.InviteCount);
    }

    [Fact]
    public async Task Rfc3261_12_2_2_in_dialog_request_with_a_lower_CSeq_gets_500()
    {
        await using var fixture = new EndpointFixture();
        using var peer = fixture.UdpPeer();
        var dialog = new TestDialog(peer);
        dialog.SendInvite();
        dialog.ExpectInviteFinal(200);
        dialog.SendAck2xx();
        await TestCallHandler.Next(fixture.Handler.Established);

        peer.Send(dialog.Build(SipMethods.Options, TestDialog.NewBranch(), 5));
        peer.ExpectResponse(200, SipMethods.Options);
        peer.Send(dialog.Build(SipMethods.Options, TestDialog.NewBranch(), 3));
        peer.ExpectResponse(500, SipMethods.Options);
    }

    [Fact]
    public async Task Rfc3261_8_2_2_2_merged_INVITE_arriving_by_another_path_gets_482()
    {
        var handler = TestCallHandler.NeverDeciding(out _);
        await using var fixture = new EndpointFixture(handler);
        using var peer = fixture.UdpPeer();
        var dialog = new TestDialog(peer);
        peer.Send(dialog.Build(SipMethods.Invite, TestDialog.NewBranch(), 1, TestDialog.Offer, "application/sdp"));
        peer.ExpectResponse(100, SipMethods.Invite);
        await TestCallHandler.Next(handler.Invites);
        // Same Call-ID, From tag and CSeq, another branch: a fork that came back to us.
        peer.Send(dialog.Build(SipMethods.Invite, TestDialog.NewBranch(), 1, TestDialog.Offer, "application/sdp"));
        peer.ExpectResponse(482, SipMethods.Invite);
        Assert.Equal(1, handler.InviteCount);
    }
}
