using ConferenceCluster.Conferencing.History;
using ConferenceCluster.Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ConferenceCluster.Gateway.Tests;

/// <summary>
/// SIPp entering the PIN of the demo-pin room (Host PIN 1234, Guest PIN 5678) as RFC 4733 telephone events, as a
/// phone's keypad does: the PIN entry screen (R-PIN-3, L6890), three attempts (R-PIN-4, L7007), and the re-INVITE
/// that moves an admitted caller's media to the conference.
/// </summary>
public sealed class SippPinTests(ITestOutputHelper output) : IAsyncLifetime
{
    private GatewaySilo _silo = null!;

    public async Task InitializeAsync()
    {
        ExternalTool.Require("sipp", "sip-tester");
        foreach (var digit in "12349")
            Assert.True(File.Exists($"/usr/share/sip-tester/dtmf_2833_{digit}.pcap"), "the RFC 4733 pcaps come with the Debian package sip-tester");
        _silo = await GatewaySilo.StartAsync();
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task The_host_pin_as_rfc4733_digits_admits_the_caller_as_host_and_a_reinvite_moves_its_media_into_the_conference()
    {
        var sipp = await Sipp.RunAsync(_silo.SipPort, "uac_pin_rfc4733.xml", ["-s", "demo-pin", "-m", "1"], timeoutSeconds: 60);
        output.WriteLine(_silo.Logs.Tail());

        Assert.True(sipp.Result.ExitCode == 0, "SIPp failed:\n" + sipp.Describe() + "\n--- silo\n" + _silo.Logs.Tail());
        Assert.Equal(1, sipp.Statistic("SuccessfulCall(C)"));
        // The second INVITE SIPp received is our re-INVITE, pointing at the conference's media leg.
        Assert.Contains(sipp.ReceivedMessages(), m => m.StartsWith("INVITE ", StringComparison.Ordinal) && m.Contains("m=audio", StringComparison.Ordinal));
        Assert.Contains(_silo.Logs.Lines, l => l.Contains("PIN attempt 1 for demo-pin", StringComparison.Ordinal) && l.Contains("correct (Host)", StringComparison.Ordinal));
        var history = await WaitForHistoryAsync();
        var call = Assert.Single(history);
        Assert.Equal((Conferencing.Grains.Interfaces.ParticipantRole.Host, "demo-pin", "PCMA"), (call.Role, call.Leg?.Alias, call.Leg?.Codec));
        Assert.True(call.Quality?.PacketsReceived > 0, "the conference leg received no RTP");
    }

    [Fact]
    public async Task Three_wrong_pins_as_rfc4733_digits_disconnect_the_caller_who_never_joins()
    {
        var sipp = await Sipp.RunAsync(_silo.SipPort, "uac_pin_wrong_rfc4733.xml", ["-s", "demo-pin", "-m", "1"], timeoutSeconds: 90);
        output.WriteLine(_silo.Logs.Tail());

        // SIPp's scenario ends by receiving our BYE and answering it: the call succeeded from SIPp's side.
        Assert.True(sipp.Result.ExitCode == 0, "SIPp failed:\n" + sipp.Describe() + "\n--- silo\n" + _silo.Logs.Tail());
        // Our BYE was answered before the gateway finished its clean-up (which logs the reason last): wait for it, bounded.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((_silo.Gateway.ActiveCalls > 0 || !_silo.Logs.Lines.Any(l => l.Contains(" left demo-pin: ", StringComparison.Ordinal)))
               && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Equal(3, _silo.Logs.Lines.Count(l => l.Contains("PIN attempt", StringComparison.Ordinal) && l.Contains("incorrect", StringComparison.Ordinal)));
        Assert.Contains(_silo.Logs.Lines, l => l.Contains("Participant exceeded PIN entry retries", StringComparison.Ordinal));
        Assert.Empty(await _silo.Services.GetRequiredService<HistoryWriter>().ParticipantsAsync());
        Assert.Equal(0, _silo.Gateway.ActiveCalls);
    }

    private async Task<IReadOnlyList<ParticipantHistoryRecord>> WaitForHistoryAsync()
    {
        var history = _silo.Services.GetRequiredService<HistoryWriter>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var records = await history.ParticipantsAsync();
            if (records.Count > 0) return records;
            await Task.Delay(100);
        }
        return await history.ParticipantsAsync();
    }
}
