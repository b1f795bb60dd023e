using System.Text;
using ConferenceCluster.Media.Rtcp;

namespace ConferenceCluster.Media.Tests.Rtcp;

/// <summary>RFC 3550 §6.4 (SR/RR), §6.5 (SDES CNAME), §6.6 (BYE) and the compound packet rules of §6.1 / A.2.</summary>
public class RtcpTests
{
    private static readonly RtcpReportBlock Block = new(0xAABBCCDD, 64, -3, 0x0001_0010, 77, 0x1234_5678, 0x0002_0000);

    [Fact]
    public void Sender_report_sdes_and_bye_compound_round_trips()
    {
        var buffer = new byte[512];
        var writer = new RtcpWriter(buffer);
        var sender = new RtcpSenderInfo(0x11111111, 0xE000_0000_8000_0000, 123456, 500, 40000);
        writer.WriteSenderReport(sender, [Block]);
        writer.WriteSourceDescriptionCname(0x11111111, "mixer@node-1"u8);
        writer.WriteGoodbye([0x11111111u]);
        ReadOnlySpan<byte> compound = writer.Packet;

        Assert.Equal(0, compound.Length % 4);
        Assert.True(RtcpCompoundReader.IsValidCompound(compound));
        var reader = new RtcpCompoundReader(compound);

        Assert.True(reader.TryReadNext(out RtcpPacket sr));
        Assert.Equal(RtcpPacketType.SenderReport, sr.Type);
        Assert.True(sr.TryGetSenderInfo(out RtcpSenderInfo parsedSender));
        Assert.Equal(sender, parsedSender);
        Assert.Equal(0x0000_8000u, parsedSender.CompactNtp);
        Assert.Equal(1, sr.ReportBlockCount);
        Assert.Equal(Block, sr.GetReportBlock(0));

        Assert.True(reader.TryReadNext(out RtcpPacket sdes));
        Assert.True(sdes.TryGetCname(out uint ssrc, out ReadOnlySpan<byte> cname));
        Assert.Equal(0x11111111u, ssrc);
        Assert.Equal("mixer@node-1", Encoding.UTF8.GetString(cname));

        Assert.True(reader.TryReadNext(out RtcpPacket bye));
        Assert.Equal(RtcpPacketType.Goodbye, bye.Type);
        Assert.Equal(1, bye.GoodbyeSsrcCount);
        Assert.Equal(0x11111111u, bye.GetGoodbyeSsrc(0));

        Assert.False(reader.TryReadNext(out _));
        Assert.False(reader.Malformed);
    }

    [Fact]
    public void Receiver_report_round_trips_with_negative_cumulative_loss()
    {
        var buffer = new byte[128];
        var writer = new RtcpWriter(buffer);
        writer.WriteReceiverReport(0x22, [Block, Block with { Ssrc = 7, CumulativeLost = 0x7FFFFF }]);
        var reader = new RtcpCompoundReader(writer.Packet);
        Assert.True(reader.TryReadNext(out RtcpPacket rr));
        Assert.Equal(RtcpPacketType.ReceiverReport, rr.Type);
        Assert.Equal(0x22u, rr.ReporterSsrc);
        Assert.Equal(2, rr.ReportBlockCount);
        Assert.Equal(-3, rr.GetReportBlock(0).CumulativeLost);
        Assert.Equal(0x7FFFFF, rr.GetReportBlock(1).CumulativeLost);
        Assert.Equal(0.25, rr.GetReportBlock(0).FractionLostRatio);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Cname_of_any_length_pads_to_a_word_and_round_trips(int extra)
    {
        string name = "n" + new string('x', extra);
        var buffer = new byte[64];
        var writer = new RtcpWriter(buffer);
        writer.WriteSourceDescriptionCname(5, Encoding.UTF8.GetBytes(name));
        Assert.Equal(0, writer.Written % 4);
        var reader = new RtcpCompoundReader(writer.Packet);
        Assert.True(reader.TryReadNext(out RtcpPacket sdes));
        Assert.True(sdes.TryGetCname(out _, out ReadOnlySpan<byte> cname));
        Assert.Equal(name, Encoding.UTF8.GetString(cname));
    }

    [Fact]
    public void Compound_must_start_with_a_report()
    {
        var buffer = new byte[64];
        var writer = new RtcpWriter(buffer);
        writer.WriteGoodbye([1u]);
        Assert.False(RtcpCompoundReader.IsValidCompound(writer.Packet));
    }

    [Fact]
    public void Truncated_compound_is_malformed()
    {
        var buffer = new byte[128];
        var writer = new RtcpWriter(buffer);
        writer.WriteReceiverReport(1, [Block]);
        ReadOnlySpan<byte> cut = writer.Packet[..^4];
        Assert.False(RtcpCompoundReader.IsValidCompound(cut));
        var reader = new RtcpCompoundReader(cut);
        Assert.False(reader.TryReadNext(out _));
        Assert.True(reader.Malformed);
    }

    [Fact]
    public void Report_count_beyond_the_bytes_present_is_bounded()
    {
        var buffer = new byte[64];
        var writer = new RtcpWriter(buffer);
        writer.WriteReceiverReport(1, []);
        buffer[0] |= 5; // claims 5 blocks, carries none
        var reader = new RtcpCompoundReader(writer.Packet);
        Assert.True(reader.TryReadNext(out RtcpPacket rr));
        Assert.Equal(0, rr.ReportBlockCount);
    }

    [Fact]
    public void Random_garbage_never_throws()
    {
        var random = new Random(1234);
        var buffer = new byte[96];
        for (int i = 0; i < 20_000; i++)
        {
            int length = random.Next(buffer.Length + 1);
            random.NextBytes(buffer);
            if (i % 2 == 0 && length >= 2)
            {
                buffer[0] = (byte)(0x80 | (buffer[0] & 0x3F));
                buffer[1] = (byte)random.Next(200, 205);
            }

            ReadOnlySpan<byte> datagram = buffer.AsSpan(0, length);
            RtcpCompoundReader.IsValidCompound(datagram);
            var reader = new RtcpCompoundReader(datagram);
            while (reader.TryReadNext(out RtcpPacket packet))
            {
                packet.TryGetSenderInfo(out _);
                packet.TryGetCname(out _, out _);
                for (int b = 0; b < packet.ReportBlockCount; b++)
                {
                    packet.GetReportBlock(b);
                }

                for (int s = 0; s < packet.GoodbyeSsrcCount; s++)
                {
                    packet.GetGoodbyeSsrc(s);
                }
            }
        }
    }
}
