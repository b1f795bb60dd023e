using System.Text.Json;
using ConferenceCluster.WebRtc.Tests.Chromium;
using Microsoft.Playwright;

namespace ConferenceCluster.ClientApi.Tests.Support;

/// <summary>
/// A headless Debian Chromium (the WebRTC tests' launcher) on a silo's web app, its fake microphone playing a tone,
/// driven over the DevTools protocol with Playwright (connected to our Chromium; no browser is downloaded): the test
/// fills the app's form and clicks its buttons, reads <c>window.conferenceApp.state</c>, and measures in the page what
/// the browser hears. Every wait is a page-side condition with a bound.
/// </summary>
internal sealed class WebAppBrowser : IAsyncDisposable
{
    /// <summary>How long any one page-side condition may take before the test gives up (a bound on a hang, not a timing check).</summary>
    public const float WaitMilliseconds = 60_000;

    private readonly HeadlessChromium _chromium;
    private readonly IBrowser _browser;
    private readonly string _wav;

    private WebAppBrowser(string name, double toneHz, HeadlessChromium chromium, IBrowser browser, IPage page, string wav)
    {
        Name = name;
        ToneHz = toneHz;
        _chromium = chromium;
        _browser = browser;
        Page = page;
        _wav = wav;
    }

    public string Name { get; }

    public double ToneHz { get; }

    public IPage Page { get; }

    public static async Task<WebAppBrowser> OpenAsync(IPlaywright playwright, Uri webApp, string name, double toneHz)
    {
        if (!HeadlessChromium.IsInstalled)
            throw new InvalidOperationException($"{HeadlessChromium.Executable} is not installed (scripts/test.sh installs Debian's chromium).");
        var wav = ToneWav.Write(toneHz);
        var chromium = HeadlessChromium.Launch(webApp.ToString(), wav, ["--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1"]);
        try
        {
            var endpoint = await chromium.DevToolsEndpoint.WaitAsync(TimeSpan.FromSeconds(60));
            var browser = await playwright.Chromium.ConnectOverCDPAsync(endpoint.ToString(), new() { Timeout = WaitMilliseconds });
            var context = browser.Contexts.Count > 0 ? browser.Contexts[0] : throw new InvalidOperationException("Chromium has no default context");
            var page = context.Pages.Count > 0 ? context.Pages[0] : await context.WaitForPageAsync(new() { Timeout = WaitMilliseconds });
            page.SetDefaultTimeout(WaitMilliseconds);
            await page.WaitForFunctionAsync("() => window.conferenceApp !== undefined");
            // The tone must reach the conference as it is: no noise suppression (a steady tone is "noise"), no gain control.
            await page.EvaluateAsync("() => { conferenceApp.microphoneConstraints = { echoCancellation: false, noiseSuppression: false, autoGainControl: false }; }");
            return new WebAppBrowser(name, toneHz, chromium, browser, page, wav);
        }
        catch
        {
            await chromium.DisposeAsync();
            File.Delete(wav);
            throw;
        }
    }

    /// <summary>Fills in the form and presses Join (and the PIN, if given, once the app asks for it).</summary>
    public async Task JoinAsync(string alias, string? pin = null)
    {
        await Page.FillAsync("#alias", alias);
        await Page.FillAsync("#name", Name);
        if (pin is not null && await Page.IsVisibleAsync("#pin")) await Page.FillAsync("#pin", pin);
        await Page.ClickAsync("#join");
    }

    /// <summary>Waits for a condition on the page (a JavaScript expression over <c>conferenceApp</c>); fails naming it and the app's state.</summary>
    public async Task WaitForAsync(string condition, string what)
    {
        try
        {
            await Page.WaitForFunctionAsync($"() => {{ const app = window.conferenceApp, state = app.state; return !!({condition}); }}",
                null, new() { Timeout = WaitMilliseconds, PollingInterval = 100 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{Name}: gave up waiting for {what} ({condition}); state: {await StateAsync()}\nChromium log:\n{_chromium.ReadLog()}");
        }
    }

    public async Task<JsonElement> StateAsync() =>
        await Page.EvaluateAsync<JsonElement>("() => JSON.parse(JSON.stringify(conferenceApp.state))");

    public async Task<T> EvaluateAsync<T>(string expression) => await Page.EvaluateAsync<T>(expression);

    /// <summary>The display names in the app's roster.</summary>
    public async Task<string[]> RosterAsync() =>
        await Page.EvaluateAsync<string[]>("() => conferenceApp.rosterList().map(p => p.display_name).sort()");

    /// <summary>
    /// What the browser hears for <paramref name="listenMs"/>: each tone's amplitude (upper quartile of 100 ms snapshots
    /// through a WebAudio analyser on the remote stream, which the app's audio element also plays, as Chromium needs),
    /// and the inbound-rtp packets received. Measured in the page, as the WebRTC media tests do.
    /// </summary>
    public async Task<JsonElement> MeasureAsync(IEnumerable<double> tones, int listenMs) =>
        await Page.EvaluateAsync<JsonElement>(PageMeasurement.Script, new { tones = tones.ToArray(), listenMs });

    public string ChromiumLog() => _chromium.ReadLog();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _browser.CloseAsync();
        }
        catch (PlaywrightException)
        {
            // the connection went with the browser
        }
        await _chromium.DisposeAsync();
        File.Delete(_wav);
    }
}

/// <summary>The page-side measurement (the WebRTC media tests' page does the same on its own leg).</summary>
internal static class PageMeasurement
{
    public const string Script = """
        async ({ tones, listenMs }) => {
          const app = window.conferenceApp;
          // Amplitude (0..1 of full scale) of one frequency in a Hann-windowed block: Goertzel's single DFT bin.
          const goertzel = (samples, frequency, rate) => {
            const w = 2 * Math.PI * frequency / rate, c = 2 * Math.cos(w);
            let s1 = 0, s2 = 0, windowSum = 0;
            for (let i = 0; i < samples.length; i++) {
              const hann = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (samples.length - 1));
              windowSum += hann;
              const s0 = samples[i] * hann + c * s1 - s2;
              s2 = s1; s1 = s0;
            }
            return 2 * Math.sqrt(Math.max(s1 * s1 + s2 * s2 - c * s1 * s2, 0)) / windowSum;
          };
          // A loaded machine's headless audio graph drops out now and then; a tone that is there shows in most snapshots.
          const upperQuartile = v => { const s = [...v].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length * 3 / 4)] : 0; };
          const context = new AudioContext({ sampleRate: 48000 });
          await context.resume();
          const analyser = context.createAnalyser();
          analyser.fftSize = 4096;
          const source = context.createMediaStreamSource(app.remoteStream);
          source.connect(analyser);
          const block = new Float32Array(analyser.fftSize);
          const perTone = Object.fromEntries(tones.map(f => [f, []]));
          const end = Date.now() + listenMs;
          while (Date.now() < end) {
            analyser.getFloatTimeDomainData(block);
            for (const f of tones) perTone[f].push(goertzel(block, f, context.sampleRate));
            await new Promise(r => setTimeout(r, 100));
          }
          source.disconnect();
          await context.close();
          let packetsReceived = 0;
          (await app.pc.getStats()).forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'audio') packetsReceived = s.packetsReceived; });
          return { packetsReceived, snapshots: perTone[tones[0]].length, tones: Object.fromEntries(tones.map(f => [String(f), upperQuartile(perTone[f])])) };
        }
        """;
}
