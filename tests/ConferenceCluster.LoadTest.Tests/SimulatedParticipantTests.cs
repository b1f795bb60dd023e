using System.Net;
using System.Net.Sockets;
using System.Text;
using ConferenceCluster.LoadTest.Audio;
using ConferenceCluster.LoadTest.Participants;
using ConferenceCluster.LoadTest.Running;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Sip.Transport;
using ConferenceCluster.Sip.Uris;
using ConferenceCluster.Sip.UserAgent;

namespace ConferenceCluster.LoadTest.Tests;

/// <summary>
/// One participant against a stand-in conference (our SIP stack as UAS, plain UDP sockets as media nodes), so the
/// test controls the re-INVITE that moves the media and sees every packet the participant sends.
/// </summary>
public class SimulatedParticipantTests
{
    private sealed class StandInConference(int rtpPort) : ISipCallHandler
    {
        public TaskCompletionSource<SipCall> Established { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<SipCallEndReason> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<IncomingCallDecision> OnInviteAsync(IncomingCall call, CancellationToken cancellationToken) =>
            Task.FromResult(IncomingCallDecision.Accept(Sdp(rtpPort, 1)));

        public void OnCallEstablished(SipCall call) => Established.TrySetResult(call);

        public void OnCallEnded(SipCall call, SipCallEndReason reason) => Ended.TrySetResult(reason);

        public static string Sdp(int port, int version) =>
            $"v=0\r\no=node 1 {version} IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio {port} RTP/AVP 0 101\r\n" +
            "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n";
    }

    /// <summary>Reads RTP from <paramref name="socket"/> until <paramref name="count"/> packets came (bounded by 10 s).</summary>
    private static async Task<List<byte[]>> ReceiveAsync(UdpClient socket, int count)
    {
        var packets = new List<byte[]>();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (packets.Count < count) packets.Add((await socket.ReceiveAsync(limit.Token)).Buffer);
        return packets;
    }

    [Fact]
    public async Task Rfc3261_14_2_a_reINVITE_moving_the_media_is_answered_on_the_same_port_and_the_tone_follows_to_the_new_node()
    {
        using var nodeA = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var nodeB = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var conference = new StandInConference(((IPEndPoint)nodeA.Client.LocalEndPoint!).Port);
        await using var uas = new SipEndpoint(conference, new SipEndpointOptions { Transport = new SipTransportOptions { BindAddress = IPAddress.Loopback, Port = 0 } });
        uas.Start();
        await using var agent = new LoadTestSipAgent(IPAddress.Loopback, "127.0.0.1", 10);
        using var pacer = new MediaPacer(TimeSpan.FromMilliseconds(20));
        var tone = ToneFrequencyPlan.FrequencyOf(0);
        var participant = new SimulatedParticipant(new ParticipantPlan
        {
            Index = 0, Conference = 0, Slot = 0, Alias = "room1", RequestUri = SipUri.Create("127.0.0.1", "room1", uas.Port),
            NextHop = new IPEndPoint(IPAddress.Loopback, uas.Port), IsTalker = true, TalkerTonesHz = [tone],
        }, agent, pacer, new RunClock(), new ParticipantSettings());

        var attempt = await participant.JoinAsync(CancellationToken.None);
        Assert.True(attempt.Admitted);
        var call = await conference.Established.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var atA = await ReceiveAsync(nodeA, 5);
        Assert.True(RtpHeader.TryParse(atA[^1], out var header));
        Assert.Equal(PcmuFrames.PayloadType, header.PayloadType);
        Assert.Equal(PcmuFrames.Tone(tone), header.PayloadOf(atA[^1]).ToArray()); // the pre-encoded frame, as is

        var offered = call.RemoteSdp;
        var moved = await call.ReInviteAsync(Encoding.ASCII.GetBytes(StandInConference.Sdp(((IPEndPoint)nodeB.Client.LocalEndPoint!).Port, 2)));

        Assert.True(moved.IsSuccess);
        Assert.True(AudioSdp.TryReadRemote(offered, out var before, out _));
        Assert.True(AudioSdp.TryReadRemote(moved.AnswerSdp, out var after, out _));
        Assert.Equal(before!.Port, after!.Port); // the participant keeps its RTP port
        var atB = await ReceiveAsync(nodeB, 5);
        Assert.All(atB, p => Assert.Equal(header.Ssrc, RtpHeader.TryParse(p, out var h) ? h.Ssrc : 0));
        Assert.Equal(1, participant.ReInvitesAnswered);
        Assert.Equal(1, participant.MediaMoves);

        await participant.LeaveAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(SipCallEndReason.RemoteHangUp, await conference.Ended.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Empty(participant.EndedEarly);
        Assert.Single(participant.Sessions);
        Assert.NotNull(participant.Sessions[0].EndMs);
    }
}
