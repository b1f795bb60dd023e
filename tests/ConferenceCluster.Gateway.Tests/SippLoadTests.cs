using ConferenceCluster.Gateway.Tests.Support;
using Xunit.Abstractions;

namespace ConferenceCluster.Gateway.Tests;

/// <summary>One SIPp run, 50 concurrent calls spread over 5 VMRs by an injection file, all playing the G.711 pcap.</summary>
public sealed class SippLoadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string PcapPath = "/usr/share/sip-tester/g711a.pcap";
    private GatewaySilo _silo = null!;

    public async Task InitializeAsync()
    {
        ExternalTool.Require("sipp", "sip-tester");
        Assert.True(File.Exists(PcapPath), $"{PcapPath} is missing: it comes with the Debian package sip-tester (apt-get install -y sip-tester)");
        _silo = await GatewaySilo.StartAsync();
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task Fifty_concurrent_sipp_calls_into_five_rooms_all_succeed_with_ten_participants_each()
    {
        var rooms = Enumerable.Range(1, 5).Select(i => $"load-room-{i}").ToArray();
        foreach (var room in rooms)
            await _silo.CreateRoomAsync(room, $"{room}-alias", $"{room}@example.com");

        var work = ExternalTool.TempDirectory("sipp-load");
        var injection = Path.Combine(work, "aliases.csv");
        // SEQUENTIAL: call n takes line n, so each alias gets exactly 10 of the 50 calls.
        File.WriteAllLines(injection, ["SEQUENTIAL", .. Enumerable.Range(0, 50).Select(i => $"{rooms[i % 5]}-alias")]);

        var peak = new ParticipantPeak(_silo, rooms);
        // 50 calls/s, at most 50 at once, each held 8 s after ACK: all 50 are up together for several seconds.
        var sipp = await Sipp.RunAsync(_silo.SipPort, "uac_pcap_inf_service.xml",
            ["-inf", injection, "-key", "pcap", PcapPath, "-m", "50", "-l", "50", "-r", "50", "-d", "8000"],
            timeoutSeconds: 60, workDirectory: work);
        await peak.StopAsync();
        output.WriteLine(sipp.Result.StandardOutput.Length > 3000 ? sipp.Result.StandardOutput[^3000..] : sipp.Result.StandardOutput);
        output.WriteLine($"participants seen: {peak}; all five at once: {peak.AllAtOnce}");

        Assert.True(sipp.Result.ExitCode == 0, "SIPp failed:\n" + sipp.Describe() + "\n--- silo\n" + _silo.Logs.Tail());
        Assert.Equal(50, sipp.Statistic("SuccessfulCall(C)"));
        Assert.Equal(0, sipp.Statistic("FailedCall(C)"));
        foreach (var room in rooms)
            Assert.Equal(10, peak.PerConference[room]);
        Assert.Equal(10, peak.AllAtOnce);

        // Every call left: the rooms empty and the gateway holds no call. A BYE is answered before the gateway's
        // clean-up (media statistics, leaving the conference) has run, so this is waited for, bounded.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline && (_silo.Gateway.ActiveCalls > 0
                   || (await Task.WhenAll(rooms.Select(r => _silo.ConferenceStatusAsync(r)))).Any(s => s.Participants.Count > 0)))
            await Task.Delay(100);
        foreach (var room in rooms)
            Assert.Empty((await _silo.ConferenceStatusAsync(room)).Participants);
        Assert.Equal(0, _silo.Gateway.ActiveCalls);

        ExternalTool.DeleteOnSuccess(work);
    }
}
