using System.Globalization;
using System.Text.Json;
using ConferenceCluster.ClientApi.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ConferenceCluster.ClientApi.Tests;

/// <summary>
/// How long a browser waits from request_token to hearing the conference (docs/benchmarks.md, "Browser join"): a
/// speaker's browser stays in the room while a listener's browser joins and leaves several times; the page timestamps
/// each step. A measurement, not a test of speed: it asserts only that audio arrived each time.
/// </summary>
[Trait("Category", "Benchmark")]
public sealed class FirstAudioBenchmark(ITestOutputHelper output)
{
    private const double SpeakerTone = 700;
    private const int Joins = 5;

    [Fact]
    public async Task Time_from_request_token_to_first_audio_in_the_web_app()
    {
        await using var silos = await ClientApiSilos.StartAsync(1, postgres: false);
        await silos.CreateRoomAsync("bench", "bench");
        using var playwright = await Playwright.CreateAsync();
        await using var speaker = await WebAppBrowser.OpenAsync(playwright, silos.WebApp(0), "Speaker", SpeakerTone);
        await using var listener = await WebAppBrowser.OpenAsync(playwright, silos.WebApp(0), "Listener", 1100);
        await speaker.JoinAsync("bench");
        await speaker.WaitForAsync("state.phase === 'in' && app.pc && app.pc.connectionState === 'connected'", "the speaker in");

        var runs = new List<JsonElement>();
        for (var join = 0; join < Joins; join++)
        {
            if (join > 0)
            {
                await listener.Page.ClickAsync("#leave");
                await listener.WaitForAsync("state.phase === 'ended'", "the listener to leave");
            }
            await listener.JoinAsync("bench");
            var run = await listener.Page.EvaluateAsync<JsonElement>(Script, SpeakerTone);
            Assert.True(run.TryGetProperty("firstTone", out _), $"join {join + 1}: the listener heard nothing: {run}");
            output.WriteLine($"join {join + 1}: {run}");
            runs.Add(run);
        }

        string Median(string step)
        {
            var values = runs.Select(r => r.GetProperty(step).GetDouble()).Order().ToList();
            return values[values.Count / 2].ToString("F0", CultureInfo.InvariantCulture);
        }
        output.WriteLine($"median of {Joins} joins, ms after request_token: token {Median("token")}, call answered {Median("callAnswered")}, " +
                         $"ICE+DTLS connected {Median("connected")}, first RTP packet {Median("firstPacket")}, first audible tone {Median("firstTone")}");
    }

    /// <summary>Page side: waits for each step of the join the app is making and timestamps it, relative to request_token.</summary>
    private const string Script = """
        async tone => {
          const app = window.conferenceApp, state = app.state;
          const sleep = ms => new Promise(r => setTimeout(r, ms));
          const until = async (predicate, limitMs) => { const end = performance.now() + limitMs; while (!(await predicate())) { if (performance.now() > end) return false; await sleep(5); } return true; };
          const goertzel = (samples, frequency, rate) => {
            const w = 2 * Math.PI * frequency / rate, c = 2 * Math.cos(w);
            let s1 = 0, s2 = 0;
            for (let i = 0; i < samples.length; i++) { const s0 = samples[i] + c * s1 - s2; s2 = s1; s1 = s0; }
            return 2 * Math.sqrt(Math.max(s1 * s1 + s2 * s2 - c * s1 * s2, 0)) / samples.length;
          };
          const result = {};
          if (!await until(() => state.phase === 'in' && state.timings.callAnswered && app.pc, 30000)) return { error: 'no call', state };
          const start = state.timings.requestToken;
          result.token = state.timings.token - start;
          result.callAnswered = state.timings.callAnswered - start;
          const pc = app.pc;
          if (!await until(() => pc.connectionState === 'connected', 30000)) return { error: 'not connected', result };
          result.connected = performance.now() - start;
          const packets = async () => { let n = 0; (await pc.getStats()).forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'audio') n = s.packetsReceived; }); return n > 0; };
          if (!await until(packets, 30000)) return { error: 'no packet', result };
          result.firstPacket = performance.now() - start;
          const context = new AudioContext({ sampleRate: 48000 });
          await context.resume();
          const analyser = context.createAnalyser();
          analyser.fftSize = 1024;
          context.createMediaStreamSource(app.remoteStream).connect(analyser);
          const block = new Float32Array(analyser.fftSize);
          const heard = await until(() => { analyser.getFloatTimeDomainData(block); return goertzel(block, tone, 48000) > 0.02; }, 30000);
          if (heard) result.firstTone = performance.now() - start;
          await context.close();
          return result;
        }
        """;
}
