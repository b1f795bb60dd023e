using ConferenceCluster.Media.Rtp;

namespace ConferenceCluster.Media.Tests.Rtp;

public class RtpHeaderTests
{
    [Fact]
    public void Fixed_header_round_trips()
    {
        var packet = new byte[RtpHeader.FixedLength + 3];
        int written = RtpHeader.WriteFixed(packet, marker: true, payloadType: 111, sequenceNumber: 0xBEEF, timestamp: 0xDEADBEEF, ssrc: 0x01020304);
        packet[12] = 1; packet[13] = 2; packet[14] = 3;

        Assert.Equal(12, written);
        Assert.True(RtpHeader.TryParse(packet, out RtpHeader header));
        Assert.True(header.Marker);
        Assert.Equal(111, header.PayloadType);
        Assert.Equal(0xBEEF, header.SequenceNumber);
        Assert.Equal(0xDEADBEEFu, header.Timestamp);
        Assert.Equal(0x01020304u, header.Ssrc);
        Assert.False(header.Padding);
        Assert.False(header.Extension);
        Assert.Equal(new byte[] { 1, 2, 3 }, header.PayloadOf(packet).ToArray());
    }

    [Fact]
    public void Csrcs_extension_and_padding_are_skipped_to_the_payload()
    {
        // V=2 P=1 X=1 CC=2 | M=0 PT=0 | seq 7 | ts 8 | ssrc 9 | 2 CSRCs | ext id 0xBEDE len 1 word | payload "hi" | 2 bytes padding
        byte[] packet =
        [
            0b1011_0010, 0, 0, 7, 0, 0, 0, 8, 0, 0, 0, 9,
            0, 0, 0, 0xA1, 0, 0, 0, 0xA2,
            0xBE, 0xDE, 0, 1, 0x10, 0xAA, 0, 0,
            (byte)'h', (byte)'i',
            0, 2,
        ];

        Assert.True(RtpHeader.TryParse(packet, out RtpHeader header));
        Assert.True(header.Padding);
        Assert.True(header.Extension);
        Assert.Equal(2, header.CsrcCount);
        Assert.Equal(0xA2u, header.CsrcOf(packet, 1));
        Assert.Equal(28, header.PayloadOffset);
        Assert.Equal("hi"u8.ToArray(), header.PayloadOf(packet).ToArray());
    }

    [Fact]
    public void Write_with_csrcs_round_trips()
    {
        var packet = new byte[40];
        int length = RtpHeader.Write(packet, false, 0, 1, 2, 3, [10u, 20u, 30u]);
        Assert.Equal(24, length);
        Assert.True(RtpHeader.TryParse(packet.AsSpan(0, length), out RtpHeader header));
        Assert.Equal(3, header.CsrcCount);
        Assert.Equal(30u, header.CsrcOf(packet, 2));
        Assert.Equal(0, header.PayloadLength);
    }

    public static TheoryData<string, byte[]> Malformed => new()
    {
        { "too short", [0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0] },
        { "version 1", [0x40, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0] },
        { "version 0 (STUN-like)", [0x00, 1, 0, 0, 0x21, 0x12, 0xA4, 0x42, 0, 0, 0, 0] },
        { "CSRC list longer than the packet", [0x83, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1] },
        { "extension header cut", [0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE] },
        { "extension longer than the packet", [0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0, 9, 1, 2, 3, 4] },
        { "padding count zero", [0xA0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0] },
        { "padding count beyond the payload", [0xA0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 9] },
        { "RTCP receiver report on a muxed port", [0x80, 201, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_packets_are_rejected(string why, byte[] packet)
    {
        Assert.False(RtpHeader.TryParse(packet, out _), why);
    }

    [Fact]
    public void Random_garbage_never_throws()
    {
        var random = new Random(4711);
        var buffer = new byte[64];
        for (int i = 0; i < 20_000; i++)
        {
            int length = random.Next(buffer.Length + 1);
            random.NextBytes(buffer);
            if (RtpHeader.TryParse(buffer.AsSpan(0, length), out RtpHeader header))
            {
                Assert.InRange(header.PayloadOffset + header.PayloadLength, 12, length);
            }
        }
    }
}
