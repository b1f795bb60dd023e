using System.Globalization;
using ConferenceCluster.Gateway.Media;
using ConferenceCluster.Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ConferenceCluster.Gateway.Tests;

/// <summary>
/// SIPp (sip-tester) as the caller, playing the G.711 A-law pcap it ships, against a real silo: the SIP
/// signalling SIPp checks (INVITE/200/ACK/BYE/200), the RTP the conference sends back the test checks itself.
/// </summary>
public sealed class SippUacTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string PcapPath = "/usr/share/sip-tester/g711a.pcap";

    /// <summary>Why SIPp may have sent no audio at all, for the failure messages.</summary>
    private const string RawSocketHint =
        " (SIPp replays a pcap through a raw socket: it needs root or CAP_NET_RAW, e.g. setcap cap_net_raw+ep $(command -v sipp))";

    private GatewaySilo _silo = null!;

    public async Task InitializeAsync()
    {
        ExternalTool.Require("sipp", "sip-tester");
        Assert.True(File.Exists(PcapPath), $"{PcapPath} is missing: it comes with the Debian package sip-tester (apt-get install -y sip-tester)");
        _silo = await GatewaySilo.StartAsync();
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task Two_sipp_calls_to_demo_each_hear_the_others_pcap_from_the_answered_media_address()
    {
        using var first = new RtpSink(latchPayloadType: 8);
        using var second = new RtpSink(latchPayloadType: 8);
        var work = ExternalTool.TempDirectory("sipp-uac");
        var injection = Path.Combine(work, "ports.csv");
        File.WriteAllText(injection, $"SEQUENTIAL\n{first.Port}\n{second.Port}\n");

        var peak = new ParticipantPeak(_silo, "demo");
        var sipp = await Sipp.RunAsync(_silo.SipPort, "uac_pcap_rtp_port.xml",
            ["-s", "demo", "-inf", injection, "-key", "pcap", PcapPath, "-m", "2", "-l", "2", "-r", "10", "-d", "6000"],
            timeoutSeconds: 40, workDirectory: work);
        await peak.StopAsync();
        output.WriteLine(sipp.Describe());

        Assert.True(sipp.Result.ExitCode == 0, "SIPp failed:\n" + sipp.Describe() + "\n--- silo\n" + _silo.Logs.Tail());
        Assert.Equal(2, sipp.Statistic("SuccessfulCall(C)"));
        Assert.Equal(0, sipp.Statistic("FailedCall(C)"));
        Assert.Equal(2, peak.Max);

        // Each call's 200 OK answers with PCMA (8) at a media address; the offer of that call named the sink's port.
        var invites = sipp.SentMessages().Where(m => m.StartsWith("INVITE ", StringComparison.Ordinal)).ToList();
        var answers = sipp.ReceivedMessages().Where(m => SipText.StatusCode(m) == 200 && SipText.CSeqMethod(m) == "INVITE")
            .GroupBy(m => SipText.Header(m, "Call-ID")).Select(g => g.First()).ToList();
        Assert.Equal(2, answers.Count);
        var byes = sipp.ReceivedMessages().Where(m => SipText.StatusCode(m) == 200 && SipText.CSeqMethod(m) == "BYE")
            .Select(m => SipText.Header(m, "Call-ID")).Distinct().Count();
        Assert.Equal(2, byes);

        var reference = Audio.Rms(Pcap.RtpPayloads(PcapPath).SelectMany(p => p).Select(Audio.DecodeALaw).ToArray());
        output.WriteLine($"RMS of the pcap itself: {reference:F0}");
        foreach (var sink in new[] { first, second })
        {
            var invite = invites.First(m => SipText.AudioOf(m).Rtp.Port == sink.Port);
            var answer = answers.Single(m => SipText.Header(m, "Call-ID") == SipText.Header(invite, "Call-ID"));
            var (media, payloadType, _) = SipText.AudioOf(answer);
            Assert.Equal(8, payloadType);

            var packets = sink.Packets;
            var fromMedia = packets.Where(p => p.Source.Equals(media) && p.PayloadType == payloadType).ToList();
            var elsewhere = packets.Where(p => !p.Source.Equals(media)).Select(p => p.Source.ToString()).Distinct().ToList();
            output.WriteLine($"sink {sink.Port}: {packets.Count} packets, {fromMedia.Count} PCMA from {media}; other sources: {string.Join(", ", elsewhere)}");
            Assert.Empty(elsewhere);
            // ~7 s of call after the latch: at 50 packets/s a few hundred; well over 100 proves the stream kept coming here.
            Assert.True(fromMedia.Count > 200, $"only {fromMedia.Count} RTP packets with PT {payloadType} reached the offered port {sink.Port} from {media}" + RawSocketHint);

            var heard = fromMedia.SelectMany(p => p.Payload).Select(Audio.DecodeALaw).ToArray();
            var rms = Audio.Rms(heard);
            var loudest = Enumerable.Range(0, heard.Length / 8000).Max(s => Audio.Rms(heard.AsSpan(s * 8000, 8000)));
            output.WriteLine($"sink {sink.Port}: RMS {rms:F0} overall, {loudest:F0} in the loudest second");
            Assert.True(loudest > 0.25 * reference, $"the audio heard at {sink.Port} is silent: loudest second RMS {loudest:F0}, the pcap's RMS {reference:F0}" + RawSocketHint);
        }

        ExternalTool.DeleteOnSuccess(work);
    }

    [Fact]
    public async Task Sipps_pcap_rtp_from_source_port_zero_does_not_pull_the_conferences_rtp_away_from_the_offer()
    {
        // SIPp 3.6.1 replays a pcap through a raw socket with UDP source port 0. Symmetric RTP latches onto the
        // source of the first RTP received; it used to latch onto 127.0.0.1:0 and the leg went silent. Here the
        // test's socket only listens: the conference must keep sending to the offered port all call long.
        using var sink = new RtpSink(); // receives, never sends
        var work = ExternalTool.TempDirectory("sipp-latch");
        var injection = Path.Combine(work, "ports.csv");
        File.WriteAllText(injection, $"SEQUENTIAL\n{sink.Port}\n");
        var media = _silo.Services.GetRequiredService<MediaNode>();

        MediaLegStatistics? duringCall = null;
        var run = Sipp.RunAsync(_silo.SipPort, "uac_pcap_rtp_port.xml",
            ["-s", "demo", "-inf", injection, "-key", "pcap", PcapPath, "-m", "1", "-l", "1", "-d", "4000"],
            timeoutSeconds: 30, workDirectory: work);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            // The scenario waits 1 s, then plays the pcap: look once the conference has had ~2 s of it.
            while (!run.IsCompleted && !timeout.IsCancellationRequested)
            {
                var participant = (await _silo.ConferenceStatusAsync("demo")).Participants.FirstOrDefault();
                var statistics = participant is null ? null : media.GetStatistics(participant.ParticipantId);
                if (statistics is { PacketsReceived: > 60 })
                {
                    duringCall = statistics;
                    break;
                }
                await Task.Delay(100);
            }
        }
        var sipp = await run;
        Assert.True(sipp.Result.ExitCode == 0, "SIPp failed:\n" + sipp.Describe());
        Assert.True(duringCall is not null, "the conference never received SIPp's pcap" + RawSocketHint);
        Assert.Equal($"127.0.0.1:{sink.Port}", duringCall.RemoteAddress);

        // 1 s + 4 s of call at 50 packets/s, all of it at the offered port (the latch would have stopped it after ~1 s).
        var packets = sink.Packets;
        output.WriteLine($"{packets.Count} packets at the offered port over {(packets[^1].ReceivedAt - packets[0].ReceivedAt).TotalSeconds:F1} s");
        Assert.True(packets.Count > 200, $"only {packets.Count} RTP packets reached the offered port");

        ExternalTool.DeleteOnSuccess(work);
    }
}

/// <summary>Polls a conference's status (IConferenceGrain.GetStatus) while calls run and keeps the most participants seen.</summary>
internal sealed class ParticipantPeak
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ParticipantPeak(GatewaySilo silo, params string[] conferences)
    {
        Conferences = conferences;
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var counts = await Task.WhenAll(conferences.Select(async c => (await silo.ConferenceStatusAsync(c)).Participants.Count));
                for (var i = 0; i < counts.Length; i++) PerConference[conferences[i]] = Math.Max(PerConference.GetValueOrDefault(conferences[i]), counts[i]);
                // All conferences at once: the smallest of them in one sweep.
                AllAtOnce = Math.Max(AllAtOnce, counts.Min());
                try { await Task.Delay(100, _stop.Token); } catch (OperationCanceledException) { }
            }
        });
    }

    public string[] Conferences { get; }

    public Dictionary<string, int> PerConference { get; } = new(StringComparer.Ordinal);

    /// <summary>The highest count every conference showed in the same sweep.</summary>
    public int AllAtOnce { get; private set; }

    public int Max => PerConference.Values.DefaultIfEmpty(0).Max();

    public async Task StopAsync()
    {
        _stop.Cancel();
        await _loop;
    }

    public override string ToString() => string.Join(", ", PerConference.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value}")));
}
