using ConferenceCluster.Gateway.Tests.Support;

namespace ConferenceCluster.LocalCluster.Tests.Support;

/// <summary>
/// One SIPp call through a Kamailio front door (Scenarios/uac_front_door_until_bye.xml): it joins a VMR and stays
/// until the conference hangs up. SIPp itself is bounded by its -timeout.
/// </summary>
internal sealed class FrontDoorCall
{
    private const string Scenario = "uac_front_door_until_bye.xml";

    private readonly CancellationTokenSource _abandon;

    private FrontDoorCall(Task<Sipp> run, ClusterApi.Participant participant, CancellationTokenSource abandon)
    {
        Run = run;
        Participant = participant;
        _abandon = abandon;
    }

    /// <summary>SIPp's run; it completes when the call ended (exit 0 once the silo's BYE was answered).</summary>
    public Task<Sipp> Run { get; }

    /// <summary>The call as the status API shows it: its signalling node (the silo Kamailio picked) and media node.</summary>
    public ClusterApi.Participant Participant { get; }

    /// <summary>
    /// Places the call and waits (bounded) until the status API lists it. A VMR created a moment ago may not have
    /// reached every silo yet (they poll the configuration): a 404 is retried, a few times.
    /// </summary>
    public static async Task<FrontDoorCall> PlaceAsync(RunningLocalCluster cluster, ClusterApi api, string location, string conference, int sippTimeoutSeconds = 120)
    {
        var sipPort = cluster.FrontDoorSipPort(location);
        for (var attempt = 1; ; attempt++)
        {
            var known = (await api.ParticipantsAsync(conference)).Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
            var abandon = new CancellationTokenSource();
            var run = Sipp.RunAsync(sipPort, Scenario, ["-s", conference, "-m", "1"], sippTimeoutSeconds, stop: abandon.Token);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (!run.IsCompleted && DateTime.UtcNow < deadline)
            {
                var joined = (await api.ParticipantsAsync(conference)).Where(p => !known.Contains(p.Id)).ToList();
                if (joined.Count == 1)
                    return new FrontDoorCall(run, joined[0], abandon);
                await Task.Delay(250);
            }
            if (!run.IsCompleted)
                Assert.Fail($"a call through the {location} front door did not show up in {conference} within 60 s\n{cluster.AllLogs()}");
            var sipp = await run;
            abandon.Dispose(); // this attempt's SIPp is over; the next attempt has its own
            var notFound = sipp.ReceivedMessages().Any(m => SipText.StatusCode(m) == 404 && SipText.CSeqMethod(m) == "INVITE");
            if (!notFound || attempt == 5)
                Assert.Fail($"a call through the {location} front door to {conference} ended before it joined:\n{sipp.Describe()}\n{cluster.AllLogs()}");
            await Task.Delay(1000);
        }
    }

    /// <summary>
    /// Waits (bounded) until the media node has received SIPp's pcap audio: RTP went to the address the silo's SDP
    /// answer named, past the front door, which only carries the signalling.
    /// </summary>
    public async Task WaitForMediaAsync(ClusterApi api)
    {
        long received = 0;
        await Bounded.WaitUntilAsync(async () => (received = await api.RxPacketsAsync(Participant.Id)) >= 50, TimeSpan.FromSeconds(30),
            () => Task.FromResult($"the media node {Participant.MediaNode} received only {received} RTP packets of call {Participant.Id}"));
    }

    /// <summary>
    /// Kills SIPp and waits for it: for a call nobody can end any more (its signalling silo was killed), whose outcome
    /// the test does not judge, instead of waiting out SIPp's -timeout.
    /// </summary>
    public async Task AbandonAsync()
    {
        await _abandon.CancelAsync();
        await Run;
    }

    /// <summary>Ends the call from the conference side (management API); SIPp answers the BYE and exits.</summary>
    public async Task<Sipp> HangUpAsync(ClusterApi api, TimeSpan bound)
    {
        await api.DisconnectAsync(Participant.Id);
        var finished = await Task.WhenAny(Run, Task.Delay(bound));
        Assert.True(finished == Run, $"SIPp did not get the BYE of {Participant.Id} within {bound}");
        return await Run;
    }
}
