using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Codecs.Linear;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Tests.Support;
using static ConferenceCluster.Media.Tests.Mixing.MixerTestKit;

namespace ConferenceCluster.Media.Tests.Mixing;

/// <summary>
/// The proof of docs/decisions.md ("Backplane mixing"), checked exactly: one <see cref="ConferenceMixer"/> per node of
/// <see cref="BackplaneTestTopology"/> (seed L2168 star inside a location, L2226 intermediaries joined between
/// locations), each backplane a real L16 encode and decode delayed one tick. After the network settles, every
/// endpoint hears every other endpoint's voice exactly once and never its own. Constant (DC) voices make "exactly
/// once" an equality: a voice heard twice would read 2×, a loop would keep growing.
/// </summary>
public sealed class BackplaneTopologyMixingTests
{
    /// <summary>Hops on the longest path (A2 → A1 → C1 → C2) plus slack; each hop costs one tick here.</summary>
    private const int SettleTicks = 12;

    [Fact]
    public void Each_voice_reaches_every_other_endpoint_exactly_once_talking_alone()
    {
        int endpoints = BackplaneTestTopology.EndpointNodes.Length;
        for (int talker = 0; talker < endpoints; talker++)
        {
            var levels = new short[endpoints];
            levels[talker] = 1000;
            short[] heard = RunNetwork(levels);
            for (int listener = 0; listener < endpoints; listener++)
            {
                Assert.True(heard[listener] == (listener == talker ? 0 : 1000),
                    $"endpoint {listener} on {NodeOf(listener)} hears endpoint {talker} on {NodeOf(talker)} at {heard[listener]} (sent at 1000)");
            }
        }
    }

    [Fact]
    public void All_talking_at_once_each_endpoint_hears_the_exact_sum_of_the_others()
    {
        // Distinct powers of two, so the sum reads as the set of voices in it (the one-talker test covers multiplicity alone).
        short[] levels = [128, 256, 512, 1024, 2048, 4096, 8192, 16384]; // all above the −50 dBFS speaker threshold, summing to 32640
        short[] heard = RunNetwork(levels);
        int total = levels.Sum(level => level);
        for (int listener = 0; listener < levels.Length; listener++)
        {
            Assert.Equal(total - levels[listener], heard[listener]);
        }
    }

    private static string NodeOf(int endpoint) => BackplaneTestTopology.Nodes[BackplaneTestTopology.EndpointNodes[endpoint]];

    /// <returns>The sample each endpoint hears on the last tick.</returns>
    private static short[] RunNetwork(short[] endpointLevels)
    {
        int nodeCount = BackplaneTestTopology.Nodes.Length;
        var mixers = new ConferenceMixer[nodeCount];
        var links = BackplaneTestTopology.Links;
        // Per link end: (node, participant id on that node, decoder of what the other end sends, its last payload).
        var ends = new List<(int Node, MixerParticipantId Id, int PeerEnd, L16FrameDecoder Decoder)>();
        try
        {
            for (int node = 0; node < nodeCount; node++)
            {
                mixers[node] = new ConferenceMixer(new ConferenceMixerOptions { MaxMixedSpeakers = 8 });
            }

            for (int endpoint = 0; endpoint < endpointLevels.Length; endpoint++)
            {
                mixers[BackplaneTestTopology.EndpointNodes[endpoint]].AddParticipant(P(endpoint), EncoderProfile.L16);
            }

            for (int link = 0; link < links.Length; link++)
            {
                var (a, b, role) = links[link];
                mixers[a].AddParticipant(P(100 + link), EncoderProfile.L16, role);
                mixers[b].AddParticipant(P(100 + link), EncoderProfile.L16, role);
                ends.Add((a, P(100 + link), ends.Count + 1, new L16FrameDecoder()));
                ends.Add((b, P(100 + link), ends.Count - 1, new L16FrameDecoder()));
            }

            var inFlight = new byte[ends.Count][]; // what each end sent on the previous tick: one tick of link delay
            var frame = new short[FrameSamples];
            var heard = new short[endpointLevels.Length];
            for (int tick = 0; tick < SettleTicks; tick++)
            {
                for (int endpoint = 0; endpoint < endpointLevels.Length; endpoint++)
                {
                    if (endpointLevels[endpoint] != 0)
                    {
                        mixers[BackplaneTestTopology.EndpointNodes[endpoint]].SubmitFrame(P(endpoint), Level(endpointLevels[endpoint]));
                    }
                }

                for (int end = 0; end < ends.Count; end++)
                {
                    if (inFlight[ends[end].PeerEnd] is { } payload)
                    {
                        Assert.Equal(FrameSamples, ends[end].Decoder.Decode(payload, frame));
                        mixers[ends[end].Node].SubmitFrame(ends[end].Id, frame);
                    }
                }

                var sent = new byte[ends.Count][];
                for (int node = 0; node < nodeCount; node++)
                {
                    MixTickResult result = mixers[node].Mix();
                    for (int end = 0; end < ends.Count; end++)
                    {
                        if (ends[end].Node == node)
                        {
                            sent[end] = OutputOf(result, ends[end].Id).EncodedPayload.ToArray();
                        }
                    }

                    for (int endpoint = 0; endpoint < endpointLevels.Length; endpoint++)
                    {
                        if (BackplaneTestTopology.EndpointNodes[endpoint] == node)
                        {
                            ReadOnlySpan<short> pcm = OutputOf(result, P(endpoint)).MixPcm;
                            Assert.True(pcm.IndexOfAnyExcept(pcm[0]) < 0, "a DC mix stays DC");
                            heard[endpoint] = pcm[0];
                        }
                    }
                }

                inFlight = sent;
            }

            return heard;
        }
        finally
        {
            foreach (ConferenceMixer? mixer in mixers)
            {
                mixer?.Dispose();
            }
        }
    }
}
