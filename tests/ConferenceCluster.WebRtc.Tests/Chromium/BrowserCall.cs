using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Tests.Support;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.WebRtc.Legs;
using ConferenceCluster.Media.WebRtc.Relay;
using ConferenceCluster.Media.Workers;
using ConferenceCluster.WebRtc.Tests.Browser;

namespace ConferenceCluster.WebRtc.Tests.Chromium;

/// <summary>What one browser call produced: the page's report, the leg's statistics, and what the RTP phone heard.</summary>
internal sealed record BrowserCallResult(JsonElement Report, WebRtcLegStatistics? Leg, WebRtcLeg? LegObject, short[] PhoneHeard, string ChromiumLog, WebRtcRelayStatistics? Relay)
{
    public string Describe() => $"report: {Report}\nleg: {Leg}\nrelay: {Relay}\nchromium log tail:\n{ChromiumLog}";
}

/// <summary>
/// One conference on a real <see cref="MediaEngine"/> with a WebRTC leg for a headless Chromium (its fake microphone
/// playing <see cref="BrowserTone"/>) and, optionally, a plain RTP phone (PCMU) sending <see cref="PhoneTone"/>;
/// runs until the page reports, bounded in time, and tears everything down whatever happened.
/// </summary>
internal static class BrowserCall
{
    public const double BrowserTone = 1000;
    public const double PhoneTone = 600;

    /// <param name="relay">Put a proxying edge's relay between the browser and the leg (answer names the relay).</param>
    public static async Task<BrowserCallResult> RunAsync(int portBase, bool withPhone, string extras = "", bool relay = false)
    {
        if (!HeadlessChromium.IsInstalled)
        {
            throw new InvalidOperationException($"{HeadlessChromium.Executable} is not installed (scripts/test.sh installs Debian's chromium).");
        }

        await using var engine = new MediaEngine(new MediaOptions
        {
            WorkerCount = 1,
            BindAddress = IPAddress.Loopback,
            PortRange = new PortRange(portBase, portBase + 99),
        });
        var webRtc = new WebRtcLegFactory(engine);
        ConferenceMedia conference = await engine.CreateConferenceAsync("browser");
        using var phone = new RtpTestEndpoint(payloadType: 0, samplesPerFrame: 160);
        if (withPhone)
        {
            MediaParticipant phoneLeg = await conference.AddParticipantAsync(new MediaEndpointOptions
            {
                Codec = AudioCodec.Pcmu,
                PayloadType = 0,
                RemoteRtp = phone.LocalEndPoint,
            });
            phone.Server = new IPEndPoint(IPAddress.Loopback, phoneLeg.LocalRtpPort);
        }

        WebRtcLeg? leg = null;
        // The proxying edge is another node: its own port range.
        await using WebRtcRelay? edge = relay ? WebRtcRelay.Start(IPAddress.Loopback, new RtpPortAllocator(new PortRange(portBase + 100, portBase + 149))) : null;
        await using BrowserTestServer server = await BrowserTestServer.StartAsync(async offer =>
        {
            leg = await webRtc.CreateLegAsync(conference, offer, new WebRtcLegOptions { Candidate = edge?.OuterEndPoint });
            edge?.SetMediaLeg(leg.LocalEndPoint);
            return leg.AnswerSdp;
        });

        string wav = ToneWav.Write(BrowserTone);
        var stopPhone = new CancellationTokenSource();
        Thread? phoneThread = withPhone ? StartPhone(phone, stopPhone.Token) : null;
        JsonElement report;
        string log;
        try
        {
            var url = new Uri(server.BaseAddress, $"/?tones={PhoneTone},{BrowserTone}&listenMs=3000&extras={extras}");
            await using HeadlessChromium chromium = HeadlessChromium.Launch(url.ToString(), wav);
            try
            {
                report = await server.ReportAsync(TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"Chromium sent no report within 60 s. Leg: {leg?.GetStatistics()}\nChromium log:\n{chromium.ReadLog()}");
            }

            log = chromium.ReadLog();
            // The page closed its RTCPeerConnection before reporting: give its DTLS close_notify (bounded) time to arrive.
            for (int wait = 0; wait < 100 && leg?.GetStatistics().Transport.DtlsState == Media.WebRtc.Dtls.DtlsState.Connected; wait++)
            {
                await Task.Delay(50);
            }
        }
        finally
        {
            stopPhone.Cancel();
            phoneThread?.Join(TimeSpan.FromSeconds(10));
            File.Delete(wav);
        }

        WebRtcLegStatistics? statistics = leg?.GetStatistics();
        short[] heard = withPhone ? TonePhones.Decode(AudioCodec.Pcmu, phone.Received.Values).Pcm : [];
        return new BrowserCallResult(report, statistics, leg, heard, log, edge?.GetStatistics());
    }

    /// <summary>The phone sends its tone every 20 ms (absolute schedule) and keeps what it receives, until stopped or 60 s.</summary>
    private static Thread StartPhone(RtpTestEndpoint phone, CancellationToken stop)
    {
        byte[][] tone = TonePhones.EncodePcmuTone(50, PhoneTone);
        var thread = new Thread(() =>
        {
            long start = Stopwatch.GetTimestamp();
            for (int frame = 0; frame < 3000 && !stop.IsCancellationRequested; frame++)
            {
                phone.SendFrame(tone[frame % tone.Length]);
                phone.DrainReceived();
                TonePhones.SleepUntil(start, frame + 1);
            }

            phone.DrainReceived();
        })
        { IsBackground = true, Name = "rtp-phone", Priority = ThreadPriority.Highest };
        thread.Start();
        return thread;
    }

    /// <summary>Per-frame amplitudes of <paramref name="frequency"/> in 8 kHz PCM, 20 ms frames.</summary>
    public static double[] FrameAmplitudes(short[] pcm, double frequency)
    {
        int frames = pcm.Length / 160;
        var amplitudes = new double[frames];
        for (int i = 0; i < frames; i++)
        {
            amplitudes[i] = Goertzel.Amplitude(pcm.AsSpan(i * 160, 160), frequency, 8000);
        }

        return amplitudes;
    }
}
