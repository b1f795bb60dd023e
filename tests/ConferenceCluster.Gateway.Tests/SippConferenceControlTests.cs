using ConferenceCluster.Conferencing.History;
using ConferenceCluster.Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ConferenceCluster.Gateway.Tests;

/// <summary>DTMF conference control from a phone's keypad (RFC 4733 events in the media), end to end through SIP.</summary>
public sealed class SippConferenceControlTests(ITestOutputHelper output) : IAsyncLifetime
{
    private GatewaySilo _silo = null!;

    public async Task InitializeAsync()
    {
        ExternalTool.Require("sipp", "sip-tester");
        Assert.True(File.Exists("/usr/share/sip-tester/dtmf_2833_pound.pcap"), "the RFC 4733 pcaps come with the Debian package sip-tester");
        _silo = await GatewaySilo.StartAsync();
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    // Seed R-DTMF (L8149–8151) and AT-65: a Host pressing ## ends the conference, disconnecting everyone, the Host included.
    [Fact]
    public async Task A_host_pressing_pound_pound_ends_the_conference_and_every_call_gets_a_bye()
    {
        var listener = Sipp.RunAsync(_silo.SipPort, "uac_wait_for_bye.xml", ["-s", "demo", "-m", "1"], timeoutSeconds: 60);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await _silo.ConferenceStatusAsync("demo")).Participants.Count < 1 && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Single((await _silo.ConferenceStatusAsync("demo")).Participants);

        // No PIN on demo: everyone is a Host (L5531).
        var host = await Sipp.RunAsync(_silo.SipPort, "uac_host_ends_conference.xml", ["-s", "demo", "-m", "1"], timeoutSeconds: 60);
        var waiting = await listener;
        output.WriteLine(_silo.Logs.Tail());

        Assert.True(host.Result.ExitCode == 0, "the Host's SIPp failed:\n" + host.Describe() + "\n--- silo\n" + _silo.Logs.Tail());
        Assert.True(waiting.Result.ExitCode == 0, "the other caller's SIPp failed:\n" + waiting.Describe() + "\n--- silo\n" + _silo.Logs.Tail());
        var history = _silo.Services.GetRequiredService<HistoryWriter>();
        var records = await history.ParticipantsAsync();
        for (var i = 0; records.Count < 2 && i < 100; i++)
        {
            await Task.Delay(100);
            records = await history.ParticipantsAsync();
        }
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Contains("ended the conference with a DTMF command", r.DisconnectReason, StringComparison.Ordinal));
    }
}
