using ConferenceCluster.ClientApi.Tests.Support;
using ConferenceCluster.Conferencing.Configuration;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ConferenceCluster.ClientApi.Tests;

/// <summary>
/// Browsers when a node dies (docs/decisions.md, "Failover of a browser"): a browser whose media node dies is told over
/// its event stream (<c>call_disconnected</c>, reoffer) and makes a fresh offer to the node the conference moved it to;
/// a browser whose signalling node dies loses its event stream, its next request fails, and the app says so.
/// </summary>
public sealed class BrowserFailoverTests(ITestOutputHelper output)
{
    private const string Room = "failover";
    private const double AliceTone = 700, BobTone = 1100;

    /// <summary>
    /// Silo A is a proxying edge in location "edge", whose transcoding location is "core" (R11, R43): both browsers are
    /// signalled by A, their media relayed by A's WebRTC relays to a transcoding node in core (B or C). That node is
    /// killed: the conference moves both calls to the survivor, each browser re-offers through a new relay on A, and
    /// they hear each other again. Then A is killed: the browsers lose their event stream and end with the reason.
    /// </summary>
    [Fact]
    public async Task Browsers_reoffer_when_their_media_node_dies_and_learn_when_their_signalling_node_dies()
    {
        await using var silos = await ClientApiSilos.StartAsync(3, postgres: true, more: i => new Dictionary<string, string?>
        {
            ["Silo:Location"] = i == 0 ? "edge" : "core",
            ["Silo:Role"] = i == 0 ? "proxying" : "transcoding",
        });
        await silos.CreateLocationsAsync(new SystemLocation("core"), new SystemLocation("edge") { TranscodingLocation = "core" });
        await silos.CreateRoomAsync(Room, Room);
        using var playwright = await Playwright.CreateAsync();
        await using var alice = await WebAppBrowser.OpenAsync(playwright, silos.WebApp(0), "Alice", AliceTone);
        await using var bob = await WebAppBrowser.OpenAsync(playwright, silos.WebApp(0), "Bob", BobTone);
        var browsers = new[] { alice, bob };
        try
        {
            foreach (var browser in browsers)
            {
                await browser.JoinAsync(Room);
                await browser.WaitForAsync("state.phase === 'in' && app.pc && app.pc.connectionState === 'connected'", "its call through the edge to connect");
            }
            var before = await silos.StatusAsync(Room);
            Assert.All(before.Participants, p => Assert.Equal(silos.NameOf(0), p.MediaProxyNode));
            var mediaNode = Assert.Single(before.Participants.Select(p => p.MediaNode).Distinct());
            Assert.NotEqual(silos.NameOf(0), mediaNode);
            await AssertHearEachOtherAsync(browsers, "through the edge");

            await silos.KillAsync(mediaNode);
            foreach (var browser in browsers)
                await browser.WaitForAsync("state.calls >= 2 && app.pc && app.pc.connectionState === 'connected'", "a new call after its media node died");
            var after = await silos.StatusAsync(Room);
            Assert.Equal(2, after.Participants.Count);
            Assert.All(after.Participants, p => Assert.NotEqual(mediaNode, p.MediaNode));
            await AssertHearEachOtherAsync(browsers, "after the move");

            await silos.KillAsync(silos.NameOf(0));
            foreach (var browser in browsers)
                await browser.WaitForAsync("state.phase === 'ended' && /Lost the connection|not available|failed/.test(state.endReason)", "the app to say its node is gone");
            output.WriteLine($"Alice was told: {(await alice.StateAsync()).GetProperty("endReason")}");
        }
        catch
        {
            foreach (var browser in browsers) output.WriteLine($"--- {browser.Name} state: {await browser.StateAsync()}\n{browser.ChromiumLog()}");
            output.WriteLine(silos.Logs(60));
            throw;
        }
    }

    private async Task AssertHearEachOtherAsync(WebAppBrowser[] browsers, string when)
    {
        var tones = new[] { AliceTone, BobTone };
        var heard = await Task.WhenAll(browsers.Select(b => b.MeasureAsync(tones, listenMs: 2000)));
        for (var i = 0; i < browsers.Length; i++)
        {
            var (browser, report) = (browsers[i], heard[i]);
            output.WriteLine($"{when}: {browser.Name} heard {report}");
            var other = tones.Single(t => t != browser.ToneHz).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var amplitude = report.GetProperty("tones").GetProperty(other).GetDouble();
            Assert.True(amplitude > 0.05, $"{when}: {browser.Name} hears the other browser only at {amplitude:F4}: {report}");
        }
    }
}
