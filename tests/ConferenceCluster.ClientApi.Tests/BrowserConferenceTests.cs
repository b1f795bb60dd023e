using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ConferenceCluster.ClientApi.Tests.Support;
using ConferenceCluster.Gateway.Sip;
using ConferenceCluster.Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ConferenceCluster.ClientApi.Tests;

/// <summary>
/// The web app in Debian's headless Chromium against real silos: browsers join through the client API, hear and are
/// heard by each other and by a SIP phone (baresip), see the roster and who speaks live, and a Host controls the room.
/// Everything a test waits for is an event or a page-side condition, bounded; nothing asserts on time.
/// </summary>
public sealed class BrowserConferenceTests(ITestOutputHelper output)
{
    private const string Room = "meet";
    private const double AliceTone = 700, BobTone = 1100, CarolTone = 500;

    /// <summary>
    /// From dialling to hanging up, at least: the judged window of her recording (AssertHears) skips 2 s and 1 s and
    /// needs 4 s, plus the call's set-up, with room to spare.
    /// </summary>
    private static readonly TimeSpan CarolMinimumCall = TimeSpan.FromSeconds(12);

    /// <summary>
    /// One VMR across two silos in two locations (so each caller's media is on the node of its location and the nodes
    /// are linked by a geo backplane): Alice's browser signalled by silo A, Bob's by silo B, and baresip (Carol) calling
    /// silo B. Each hears the two others and not itself (mix-minus), every browser's roster shows all three and who
    /// speaks, and when Alice (a Host: the room has no PIN, L6990) locks the room a fourth caller waits (R-LOCK-2,
    /// L7810–7817) until she unlocks it and the browsers see him arrive.
    /// </summary>
    [Fact]
    public async Task Two_browsers_and_a_sip_phone_across_two_silos_hear_each_other_and_a_locked_room_holds_a_fourth_caller_L7810()
    {
        ExternalTool.Require("baresip", "baresip");
        await using var silos = await ClientApiSilos.StartAsync(2, postgres: true,
            more: i => new Dictionary<string, string?> { ["Silo:Location"] = i == 0 ? "london" : "paris" });
        await silos.CreateRoomAsync(Room, Room);
        using var playwright = await Playwright.CreateAsync();
        await using var alice = await WebAppBrowser.OpenAsync(playwright, silos.WebApp(0), "Alice", AliceTone);
        await using var bob = await WebAppBrowser.OpenAsync(playwright, silos.WebApp(1), "Bob", BobTone);
        var browsers = new[] { alice, bob };
        try
        {
            foreach (var browser in browsers)
            {
                await browser.JoinAsync(Room);
                await browser.WaitForAsync("state.phase === 'in' && app.pc && app.pc.connectionState === 'connected' && app.remoteStream", "its WebRTC call to connect");
            }

            // Carol, a SIP phone, calls silo B; she stays until the end of the test (baresip's -t only bounds her).
            var carol = Baresip.Prepare("carol", CarolTone, pcmuOnly: false);
            var carolDialled = Stopwatch.StartNew();
            var carolCall = carol.RunAsync($"sip:{Room}@127.0.0.1:{silos[1].Services.GetRequiredService<SipGateway>().SipPort}", 60);

            // The roster of every browser, from the conference's events wherever each participant is signalled.
            foreach (var browser in browsers)
                await browser.WaitForAsync("app.rosterList().length === 3", "Alice, Bob and Carol in its roster");
            foreach (var browser in browsers)
                Assert.Equal(["Alice", "Bob", "carol"], await browser.RosterAsync());
            var status = await silos.StatusAsync(Room);
            Assert.Equal(2, status.MediaNodes.Count); // the media spans both silos
            Assert.Equal(["SIP/UDP", "WebRTC", "WebRTC"], status.Participants.Select(p => p.Leg?.Protocol).Order());

            // Who speaks: everyone sends a steady tone, so the stage names all three as speaking.
            foreach (var browser in browsers)
                await browser.WaitForAsync("state.speaking.length === 3", "all three on stage as speaking");

            // Each browser hears the other two and not itself (measured in the page, both at once).
            var tones = new[] { AliceTone, BobTone, CarolTone };
            var heard = await Task.WhenAll(browsers.Select(b => b.MeasureAsync(tones, listenMs: 3000)));
            for (var i = 0; i < browsers.Length; i++)
            {
                var (browser, report) = (browsers[i], heard[i]);
                output.WriteLine($"{browser.Name} (sends {browser.ToneHz} Hz) heard {report}");
                Assert.True(report.GetProperty("packetsReceived").GetInt64() > 50, $"{browser.Name} received no audio: {report}");
                foreach (var tone in tones)
                {
                    var amplitude = report.GetProperty("tones").GetProperty(tone.ToString(System.Globalization.CultureInfo.InvariantCulture)).GetDouble();
                    if (tone == browser.ToneHz)
                        Assert.True(amplitude < 0.01, $"{browser.Name} hears its own {tone} Hz at {amplitude:F4} of full scale: {report}");
                    else
                        Assert.True(amplitude > 0.05, $"{browser.Name} hears {tone} Hz only at {amplitude:F4} of full scale (sent at 0.24-0.3): {report}\n{silos.Logs()}");
                }
            }

            // Alice, a Host, locks the room: both browsers see it, and a fourth caller waits (R-LOCK-2, no Host PIN).
            await alice.Page.ClickAsync("#lock");
            foreach (var browser in browsers)
                await browser.WaitForAsync("state.locked === true", "the lock in conference_update");
            var dave = new ClientApiHttp(silos.Http(1), Room);
            var daveJoin = await dave.RequestTokenAsync("Dave");
            Assert.Equal(HttpStatusCode.OK, daveJoin.Status);
            Assert.Equal("waiting_room", daveJoin.Result.GetProperty("current_service_type").GetString());
            var waiting = Assert.Single((await silos.StatusAsync(Room)).Waiting ?? []);
            Assert.Equal("Dave", waiting.DisplayName);
            Assert.Equal(3, (await alice.RosterAsync()).Length);

            // Unlocked, the waiting caller joins by himself (R-LOCK-2), and every browser sees him arrive.
            await alice.Page.ClickAsync("#lock");
            foreach (var browser in browsers)
                await browser.WaitForAsync("state.locked === false && app.rosterList().length === 4", "Dave admitted after the unlock");

            // The status API shows browsers as it shows SIP calls, protocol WebRTC.
            var participants = await AdminGetAsync(silos, "/api/admin/status/v1/participant/");
            var protocols = participants.GetProperty("objects").EnumerateArray().ToDictionary(p => p.GetProperty("display_name").GetString()!, p => p.GetProperty("protocol").GetString());
            Assert.Equal("WebRTC", protocols["Alice"]);
            Assert.Equal("SIP/UDP", protocols["carol"]);

            // Carol, the SIP phone: both browsers' tones, not her own. Her recording's judged window needs 7 s of call;
            // once she has had them, she hangs up.
            if (CarolMinimumCall - carolDialled.Elapsed is { TotalMilliseconds: > 0 } rest) await Task.Delay(rest);
            await carol.HangUpAndQuitAsync();
            await carolCall;
            AssertHears(carol, [AliceTone, BobTone], silos);
            ExternalTool.DeleteOnSuccess(carol.Directory);
        }
        catch
        {
            foreach (var browser in browsers) output.WriteLine($"--- {browser.Name} state: {await browser.StateAsync()}\n{browser.ChromiumLog()}");
            output.WriteLine(silos.Logs());
            throw;
        }
    }

    /// <summary>
    /// A PIN-protected room from the web app (R-PIN-2 row 2, R-PIN-7, L6990–7007): the app asks for the PIN, a wrong one
    /// is refused ("Invalid PIN") and the browser may try again, the right one admits it as Host, with media.
    /// </summary>
    [Fact]
    public async Task A_pin_room_refuses_a_wrong_pin_and_admits_the_right_one_from_the_browser_L7007()
    {
        await using var silos = await ClientApiSilos.StartAsync(1, postgres: false);
        await silos.CreateRoomAsync("locked-room", "locked-room", hostPin: "2580");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await WebAppBrowser.OpenAsync(playwright, silos.WebApp(0), "Erin", AliceTone);
        try
        {
            await browser.JoinAsync("locked-room");
            await browser.WaitForAsync("!document.getElementById('pin-row').hidden && state.phase === 'idle'", "the app to ask for the PIN");

            await browser.Page.FillAsync("#pin", "1111");
            await browser.Page.ClickAsync("#join");
            await browser.WaitForAsync("state.phase === 'idle' && state.error === 'Invalid PIN'", "the wrong PIN refused");
            Assert.Empty((await silos.StatusAsync("locked-room")).Participants);

            await browser.Page.FillAsync("#pin", "2580");
            await browser.Page.ClickAsync("#join");
            await browser.WaitForAsync("state.phase === 'in' && state.role === 'HOST' && app.pc && app.pc.connectionState === 'connected'", "admitted with media");
            var me = Assert.Single((await silos.StatusAsync("locked-room")).Participants);
            Assert.Equal(("Erin", Conferencing.Grains.Interfaces.ParticipantRole.Host, "WebRTC"), (me.DisplayName, me.Role, me.Leg?.Protocol));

            // Leaving ends the participant: the conference lets it go.
            await browser.Page.ClickAsync("#leave");
            await browser.WaitForAsync("state.phase === 'ended'", "the app to leave");
            await Eventually.TrueAsync(async () => (await silos.StatusAsync("locked-room")).Participants.Count == 0, "the participant gone from the conference");
        }
        catch
        {
            output.WriteLine($"state: {await browser.StateAsync()}\n{browser.ChromiumLog()}\n{silos.Logs()}");
            throw;
        }
    }

    /// <summary>Carol's recording: each expected tone clearly, her own at least 20 dB below the weaker (as the SIP interop tests judge baresip).</summary>
    private void AssertHears(Baresip peer, double[] others, ClientApiSilos silos)
    {
        var log = peer.Result!.StandardOutput + peer.Result.StandardError;
        Assert.True(!peer.Result.TimedOut && log.Contains("Call established", StringComparison.Ordinal), $"{peer.Name}: no call\n{peer.Result.Describe()}\n{silos.Logs()}");
        var (rate, samples) = peer.Recording();
        // Skip the first 2 s (jitter buffers fill) and the last 1 s (hang-up).
        var window = samples.AsSpan(Math.Min(samples.Length, 2 * rate), Math.Max(0, samples.Length - 3 * rate)).ToArray();
        Assert.True(window.Length >= 4 * rate, $"{peer.Name}: only {window.Length / (double)rate:F1} s of recording to analyse");
        var amplitudes = others.Append(peer.ToneHz).ToDictionary(f => f, f => Audio.ToneAmplitude(window, rate, f));
        output.WriteLine($"{peer.Name} (sends {peer.ToneHz} Hz) hears: {string.Join(", ", amplitudes.Select(kv => $"{kv.Key} Hz {kv.Value:F0}"))}");
        var weakest = others.Min(f => amplitudes[f]);
        Assert.True(weakest > 1000, $"{peer.Name} does not hear both browsers: {string.Join(", ", others.Select(f => $"{f} Hz {amplitudes[f]:F0}"))}");
        Assert.True(amplitudes[peer.ToneHz] < 0.1 * weakest, $"{peer.Name} hears her own {peer.ToneHz} Hz: {amplitudes[peer.ToneHz]:F0} vs {weakest:F0}");
    }

    private static async Task<JsonElement> AdminGetAsync(ClientApiSilos silos, string path)
    {
        using var http = silos.Http(0);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{ClientApiSilos.AdminPassword}")));
        var response = await http.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
