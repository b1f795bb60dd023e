using System.Diagnostics;
using System.Net;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Tests.Streams;
using ConferenceCluster.Media.Tests.Support;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Tests.Workers;

/// <summary>
/// Three phones on 127.0.0.1 send tones at distinct frequencies as RTP every 20 ms for about 2 s into one conference on
/// a media worker. Each must hear the other two tones and not its own (mix-minus through real sockets, jitter
/// buffers, libopus and the mixer). Nothing here asserts timing: only what was heard.
/// </summary>
public class ConferenceMediaEndToEndTests
{
    private const byte OpusPt = 111;
    private const byte TelephoneEventPt = 101;
    private static readonly double[] Tones = [400, 700, 1000];

    [Fact]
    public async Task Three_opus_participants_each_hear_the_other_two_and_not_themselves()
    {
        var digits = new List<DtmfDigit>();
        var digitSeen = new TaskCompletionSource();
        (double[][] levels, MediaParticipantStatistics[] stats, WorkerAllocationWindow steadyState) = await RunConference(
            [AudioCodec.Opus, AudioCodec.Opus, AudioCodec.Opus], portBase: 44000,
            onDtmf: digit => { lock (digits) { digits.Add(digit); } digitSeen.TrySetResult(); });

        AssertMixMinus(levels);
        Assert.All(stats, s => Assert.InRange(s.PacketsReceived, 50, 200));
        Assert.All(stats, s => Assert.InRange(s.PacketsSent, 50, 1000));
        Assert.Equal(0, stats[0].PacketsLost); // the key press's packets share the sequence space and are not loss
        Assert.Equal(1, stats[0].DtmfDigits);
        // Receive, jitter buffers, decode, mix, encode, send: nothing per packet or per tick.
        steadyState.AssertNothingAllocatedPerTick();

        await digitSeen.Task.WaitAsync(TimeSpan.FromSeconds(5));
        lock (digits)
        {
            Assert.Equal([new DtmfDigit('5', 100)], digits); // three end packets, one digit
        }
    }

    [Fact]
    public async Task A_pcmu_participant_hears_the_opus_ones_and_they_hear_it()
    {
        (double[][] levels, _, _) = await RunConference([AudioCodec.Opus, AudioCodec.Opus, AudioCodec.Pcmu], portBase: 44200, onDtmf: null);
        AssertMixMinus(levels);
    }

    // Seed R-MUTE-2: a muted Guest still hears the conference, nobody hears it.
    [Fact]
    public async Task A_muted_participant_hears_the_others_and_nobody_hears_it()
    {
        (double[][] levels, _, _) = await RunConference([AudioCodec.Opus, AudioCodec.Opus, AudioCodec.Opus], portBase: 44400, onDtmf: null, mutedIndex: 2);
        for (int listener = 0; listener < Tones.Length; listener++)
        {
            for (int talker = 0; talker < Tones.Length; talker++)
            {
                double amplitude = levels[listener][talker];
                if (talker == listener || talker == 2)
                    Assert.True(amplitude < 150, $"participant {listener} hears {Tones[talker]} Hz at amplitude {amplitude:F0}");
                else
                    Assert.True(amplitude > 3000, $"participant {listener} hears {Tones[talker]} Hz only at amplitude {amplitude:F0} (sent at 6000)");
            }
        }
    }

    private static void AssertMixMinus(double[][] levels)
    {
        for (int listener = 0; listener < Tones.Length; listener++)
        {
            for (int talker = 0; talker < Tones.Length; talker++)
            {
                double amplitude = levels[listener][talker];
                if (talker == listener)
                {
                    Assert.True(amplitude < 150, $"participant {listener} hears its own {Tones[talker]} Hz tone at amplitude {amplitude:F0}");
                }
                else
                {
                    // Sent at 6000; Opus at complexity 4 keeps it within a dB or two.
                    Assert.True(amplitude > 3000, $"participant {listener} hears {Tones[talker]} Hz only at amplitude {amplitude:F0} (sent at 6000)");
                }
            }
        }
    }

    /// <returns>levels[listener][talker]: the amplitude of each talker's tone in what the listener received.</returns>
    /// <returns>Also what the worker allocated between 0.4 s and 1.1 s into the talk (steady state, before the key press).</returns>
    private static async Task<(double[][] Levels, MediaParticipantStatistics[] Stats, WorkerAllocationWindow SteadyState)> RunConference(AudioCodec[] codecs, int portBase, Action<DtmfDigit>? onDtmf, int? mutedIndex = null)
    {
        await using var engine = new MediaEngine(new MediaOptions
        {
            WorkerCount = 1,
            BindAddress = IPAddress.Loopback,
            PortRange = new PortRange(portBase, portBase + 99),
        });
        ConferenceMedia conference = await engine.CreateConferenceAsync("e2e");
        var endpoints = new RtpTestEndpoint[codecs.Length];
        var participants = new MediaParticipant[codecs.Length];
        var payloads = new byte[codecs.Length][][];
        try
        {
            for (int i = 0; i < codecs.Length; i++)
            {
                bool opus = codecs[i] == AudioCodec.Opus;
                endpoints[i] = new RtpTestEndpoint(opus ? OpusPt : (byte)0, opus ? 960 : 160);
                payloads[i] = opus ? InboundAudioStreamTests.EncodeOpusTone(50, Tones[i], fec: false, amplitude: 6000) : TonePhones.EncodePcmuTone(50, Tones[i]);
                participants[i] = await conference.AddParticipantAsync(new MediaEndpointOptions
                {
                    Codec = codecs[i],
                    PayloadType = endpoints[i].PayloadType,
                    TelephoneEventPayloadType = TelephoneEventPt,
                    RemoteRtp = endpoints[i].LocalEndPoint,
                    DtmfReceived = onDtmf is null ? null : (_, digit) => onDtmf(digit),
                });
                endpoints[i].Server = new IPEndPoint(IPAddress.Loopback, participants[i].LocalRtpPort);
            }

            if (mutedIndex is { } muted)
            {
                await participants[muted].SetMutedAsync(true);
            }

            // 2 s of tones, then 300 ms to collect the tail; the allocation window is steady state, before the key press.
            var allocation = new WorkerAllocationWindow(conference.Worker, startFrame: 20, endFrame: 55);
            TonePhones.Run(endpoints, payloads, frames: 100, tailFrames: 15, onFrame: frame =>
            {
                allocation.OnFrame(frame);
                if (frame == 61 && onDtmf is not null)
                {
                    endpoints[0].SendDtmf(TelephoneEventPt, 5, 8000);
                }
            });

            var stats = participants.Select(p => p.GetStatistics()).ToArray();
            var levels = new double[codecs.Length][];
            for (int listener = 0; listener < codecs.Length; listener++)
            {
                Assert.Equal([endpoints[listener].PayloadType], endpoints[listener].ReceivedPayloadTypes);
                (short[] pcm, int rate) = TonePhones.Decode(codecs[listener], endpoints[listener].Received.Values);
                levels[listener] = Tones.Select(f => TonePhones.MedianFrameAmplitude(pcm, rate, f)).ToArray();
            }

            if (Environment.GetEnvironmentVariable("E2E_DIAG") is not null)
            {
                Console.WriteLine("E2E levels: " + string.Join(" | ", levels.Select(l => string.Join(",", l.Select(v => v.ToString("F0"))))));
                Console.WriteLine("E2E stats: " + string.Join("\n", stats.Select(s => s.ToString())));
                Console.WriteLine("E2E worker: " + conference.Worker.GetStatistics());
                Console.WriteLine("E2E received: " + string.Join(",", endpoints.Select(e => e.Received.Count + ":" + (e.Received.Keys.Last() - e.Received.Keys.First() + 1))));
            }

            return (levels, stats, allocation);
        }
        finally
        {
            await conference.DisposeAsync();
            foreach (RtpTestEndpoint? endpoint in endpoints)
            {
                endpoint?.Dispose();
            }
        }
    }
}
