using ConferenceCluster.Gateway.Tests.Support;
using Xunit.Abstractions;

namespace ConferenceCluster.Gateway.Tests;

/// <summary>
/// Three real baresip instances in the demo VMR, each sending its own tone: each must hear the other two tones
/// and not its own (mix-minus), whatever codec it negotiated.
/// </summary>
public sealed class BaresipConferenceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int CallSeconds = 10;
    private GatewaySilo _silo = null!;

    public async Task InitializeAsync()
    {
        ExternalTool.Require("baresip", "baresip");
        _silo = await GatewaySilo.StartAsync();
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task Three_opus_baresips_each_hear_the_other_two_tones_and_not_their_own() =>
        await RunConferenceAsync(pcmuPeer: false);

    [Fact]
    public async Task One_pcmu_and_two_opus_baresips_each_hear_the_other_two_tones_and_not_their_own() =>
        await RunConferenceAsync(pcmuPeer: true);

    private async Task RunConferenceAsync(bool pcmuPeer)
    {
        var peers = new[]
        {
            Baresip.Prepare("alice", 500, pcmuOnly: pcmuPeer),
            Baresip.Prepare("bob", 700, pcmuOnly: false),
            Baresip.Prepare("carol", 900, pcmuOnly: false),
        };
        var peak = new ParticipantPeak(_silo, "demo");
        await Task.WhenAll(peers.Select(p => p.RunAsync($"sip:demo@127.0.0.1:{_silo.SipPort}", CallSeconds)));
        await peak.StopAsync();
        Assert.Equal(3, peak.Max);

        foreach (var peer in peers)
        {
            var log = peer.Result!.StandardOutput + peer.Result.StandardError;
            Assert.True(!peer.Result.TimedOut && log.Contains("Call established", StringComparison.Ordinal),
                $"{peer.Name}: no call\n{peer.Result.Describe()}\n--- silo\n{_silo.Logs.Tail()}");
            var decoder = peer.PcmuOnly ? "audio: Set audio decoder: PCMU 8000Hz 1ch" : "audio: Set audio decoder: opus 48000Hz";
            Assert.True(log.Contains(decoder, StringComparison.Ordinal), $"{peer.Name}: expected '{decoder}'\n{peer.Result.Describe()}");

            var (rate, samples) = peer.Recording();
            // Skip the first 2 s (joins are staggered, jitter buffers fill) and the last 1 s (hang-ups).
            var window = samples.AsSpan(Math.Min(samples.Length, 2 * rate), Math.Max(0, samples.Length - 3 * rate)).ToArray();
            Assert.True(window.Length >= 4 * rate, $"{peer.Name}: only {window.Length / (double)rate:F1} s of recording to analyse");
            var amplitudes = peers.ToDictionary(p => p.ToneHz, p => ToneAmplitude(window, rate, p.ToneHz));
            output.WriteLine($"{peer.Name} ({(peer.PcmuOnly ? "PCMU" : "Opus")}, sends {peer.ToneHz} Hz) hears: " +
                             string.Join(", ", amplitudes.Select(kv => $"{kv.Key} Hz amplitude {kv.Value:F0}")) + $", RMS {Audio.Rms(window):F0}");

            var others = peers.Where(p => p != peer).Select(p => amplitudes[p.ToneHz]).ToList();
            var own = amplitudes[peer.ToneHz];
            // Sent at amplitude ~9800: each other tone must come through clearly, the own one at least 20 dB below the weaker.
            Assert.True(others.Min() > 1000, $"{peer.Name} does not hear both other tones: {string.Join(", ", others.Select(o => o.ToString("F0")))}");
            Assert.True(own < 0.1 * others.Min(), $"{peer.Name} hears its own {peer.ToneHz} Hz tone: amplitude {own:F0} vs {others.Min():F0}");
        }

        foreach (var peer in peers) ExternalTool.DeleteOnSuccess(peer.Directory);
    }

    /// <summary>The tone's amplitude: Goertzel over 100 ms blocks (robust to the odd concealed frame), power averaged.</summary>
    private static double ToneAmplitude(short[] samples, int rate, double frequency)
    {
        var block = rate / 10;
        double sum = 0;
        var count = 0;
        for (var start = 0; start + block <= samples.Length; start += block, count++)
            sum += Audio.Goertzel(samples.AsSpan(start, block), rate, frequency);
        // For a sine of amplitude A the normalised Goertzel power is A²/4.
        return count == 0 ? 0 : 2 * Math.Sqrt(sum / count);
    }
}
