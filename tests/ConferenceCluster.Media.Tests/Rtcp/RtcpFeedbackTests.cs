using ConferenceCluster.Media.Rtcp;

namespace ConferenceCluster.Media.Tests.Rtcp;

/// <summary>RTCP feedback (RFC 4585 NACK and PLI, RFC 5104 FIR, REMB): written, read back, and garbage refused.</summary>
public sealed class RtcpFeedbackTests
{
    [Fact]
    public void A_nack_packs_losses_into_pid_and_bitmask_items_across_the_sequence_wrap()
    {
        var buffer = new byte[256];
        var writer = new RtcpFeedbackWriter(buffer);
        ushort[] lost = [3, 65535, 1, 65534, 20, 2, 1];
        Assert.Equal(7, writer.WriteNack(0xAAAA, 0xBBBB, lost));
        // 65534 is the first loss; 65535, 1, 2, 3 (offsets 1, 3, 4, 5) share its item; 20 (offset 22) needs a second.
        Assert.Equal(12 + 8, writer.Written);

        var reader = new RtcpCompoundReader(writer.Packet);
        Assert.True(reader.TryReadNext(out RtcpPacket packet));
        Assert.Equal(RtcpFeedbackKind.Nack, RtcpFeedbackReader.Classify(packet, out uint sender, out uint media));
        Assert.Equal((0xAAAAu, 0xBBBBu), (sender, media));
        var read = new ushort[40];
        int count = RtcpFeedbackReader.ReadNack(packet, read);
        Assert.Equal(new ushort[] { 65534, 65535, 1, 2, 3, 20 }, read[..count]);
        Assert.True(RtcpFeedbackReader.IsValidCompoundOrReducedSize(writer.Packet));
    }

    [Fact]
    public void Pli_fir_and_remb_follow_a_receiver_report_in_one_compound()
    {
        var buffer = new byte[512];
        var report = new RtcpWriter(buffer);
        report.WriteReceiverReport(0x1111, []);
        report.WriteSourceDescriptionCname(0x1111, "video@test"u8);
        var feedback = new RtcpFeedbackWriter(buffer, report.Written);
        feedback.WritePictureLossIndication(0x1111, 0x2222);
        feedback.WriteFullIntraRequest(0x1111, 0x2222, commandSequence: 7);
        feedback.WriteRemb(0x1111, 1_500_000, [0x2222, 0x3333]);
        ReadOnlySpan<byte> compound = buffer.AsSpan(0, feedback.Written);
        Assert.True(RtcpCompoundReader.IsValidCompound(compound));

        var kinds = new List<(RtcpFeedbackKind, uint)>();
        var reader = new RtcpCompoundReader(compound);
        while (reader.TryReadNext(out RtcpPacket packet))
        {
            RtcpFeedbackKind kind = RtcpFeedbackReader.Classify(packet, out _, out uint media);
            if (kind == RtcpFeedbackKind.None) continue;
            kinds.Add((kind, media));
            if (kind == RtcpFeedbackKind.FullIntraRequest)
            {
                Assert.True(RtcpFeedbackReader.TryGetFullIntraRequest(packet, 0x2222, out byte sequence));
                Assert.Equal(7, sequence);
                Assert.False(RtcpFeedbackReader.TryGetFullIntraRequest(packet, 0x9999, out _));
            }

            if (kind == RtcpFeedbackKind.Remb)
            {
                var ssrcs = new uint[4];
                Assert.True(RtcpFeedbackReader.TryReadRemb(packet, out ulong bitrate, ssrcs, out int n));
                Assert.InRange(bitrate, 1_499_000ul, 1_500_000ul); // 18-bit mantissa: rounded down by < 2^-17
                Assert.Equal(new uint[] { 0x2222, 0x3333 }, ssrcs[..n]);
            }
        }

        Assert.Equal([(RtcpFeedbackKind.PictureLoss, 0x2222u), (RtcpFeedbackKind.FullIntraRequest, 0x2222u), (RtcpFeedbackKind.Remb, 0u)], kinds);
    }

    [Fact]
    public void A_bare_pli_is_valid_reduced_size_rtcp_and_garbage_is_not_and_never_throws()
    {
        var buffer = new byte[64];
        var writer = new RtcpFeedbackWriter(buffer);
        writer.WritePictureLossIndication(1, 2);
        Assert.False(RtcpCompoundReader.IsValidCompound(writer.Packet)); // RFC 3550 wants an SR/RR first
        Assert.True(RtcpFeedbackReader.IsValidCompoundOrReducedSize(writer.Packet)); // RFC 5506 does not

        const int Seed = 5104;
        Console.WriteLine($"RTCP feedback fuzz seed {Seed}");
        var random = new Random(Seed);
        var ssrcs = new uint[8];
        var lost = new ushort[64];
        for (int i = 0; i < 20_000; i++)
        {
            var garbage = new byte[random.Next(0, 80)];
            random.NextBytes(garbage);
            if (garbage.Length > 2 && random.Next(2) == 0)
            {
                garbage[0] = (byte)(0x80 | random.Next(32));
                garbage[1] = (byte)(205 + random.Next(2));
            }

            RtcpFeedbackReader.IsValidCompoundOrReducedSize(garbage);
            var reader = new RtcpCompoundReader(garbage);
            while (reader.TryReadNext(out RtcpPacket packet))
            {
                RtcpFeedbackReader.Classify(packet, out _, out _);
                RtcpFeedbackReader.ReadNack(packet, lost);
                RtcpFeedbackReader.TryGetFullIntraRequest(packet, 1, out _);
                RtcpFeedbackReader.TryReadRemb(packet, out _, ssrcs, out _);
            }
        }
    }
}
