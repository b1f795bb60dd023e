using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Tests.Support;

namespace ConferenceCluster.Media.Tests.Rtp;

/// <summary>RFC 8285 header extensions and the RFC 6464 audio level carried in them.</summary>
public sealed class RtpHeaderExtensionTests
{
    private static readonly byte[] Payload = [0xF8, 1, 2, 3];

    [Fact]
    public void One_byte_form_finds_the_level_among_other_elements_and_padding()
    {
        // id 3 (2 bytes of something else), padding, id 1: the level, V=1, −42 dBov (RFC 8285 §4.2, RFC 6464 §3).
        byte[] elements = [.. RtpPackets.OneByteElement(3, [0xAA, 0xBB]), 0, .. RtpPackets.OneByteElement(1, [0x80 | 42])];
        byte[] packet = RtpPackets.BuildWithExtension(111, 7, 960, 1, Payload, elements);
        Assert.True(RtpHeader.TryParse(packet, out RtpHeader header));

        Assert.Equal(HeaderExtensionLookup.Found, RtpHeaderExtensions.TryFind(packet, header, 1, out ReadOnlySpan<byte> data));
        Assert.True(AudioLevel.TryRead(data, out AudioLevel level));
        Assert.Equal((-42.0, true), (level.Dbov, level.VoiceActivity));
        Assert.Equal(HeaderExtensionLookup.Absent, RtpHeaderExtensions.TryFind(packet, header, 2, out _));
        Assert.Equal(Payload, header.PayloadOf(packet).ToArray());
    }

    [Fact]
    public void Two_byte_form_finds_the_level()
    {
        byte[] elements = [.. RtpPackets.TwoByteElement(20, []), .. RtpPackets.TwoByteElement(5, [0x7F])];
        byte[] packet = RtpPackets.BuildWithExtension(111, 7, 960, 1, Payload, elements, profile: 0x1003);
        Assert.True(RtpHeader.TryParse(packet, out RtpHeader header));
        Assert.Equal(HeaderExtensionLookup.Found, RtpHeaderExtensions.TryFind(packet, header, 5, out ReadOnlySpan<byte> data));
        Assert.Equal(new AudioLevel(127, false), AudioLevel.FromByte(data[0]));
        Assert.Equal(HeaderExtensionLookup.Found, RtpHeaderExtensions.TryFind(packet, header, 20, out data));
        Assert.True(data.IsEmpty);
        Assert.False(AudioLevel.TryRead(data, out _)); // an empty level element is malformed for the caller
    }

    [Fact]
    public void The_one_byte_writer_and_reader_agree()
    {
        var block = new byte[8];
        int written = RtpHeaderExtensions.WriteOneByte(block, 1, [new AudioLevel(30, true).ToByte()]);
        Assert.Equal(8, written);
        byte[] packet = RtpPackets.BuildWithExtension(111, 1, 0, 1, Payload, block.AsSpan(4, written - 4));
        Assert.True(RtpHeader.TryParse(packet, out RtpHeader header));
        Assert.Equal(HeaderExtensionLookup.Found, RtpHeaderExtensions.TryFind(packet, header, 1, out ReadOnlySpan<byte> data));
        Assert.Equal(new AudioLevel(30, true), AudioLevel.FromByte(data[0]));
    }

    [Theory]
    [InlineData(new byte[] { 0x13, 0x01, 0x02, 0x00 }, 0xBEDE)] // element claims 4 bytes, 3 remain
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x1F }, 0xBEDE)] // last byte: id 1, 16 bytes, none remain
    [InlineData(new byte[] { 0x05, 0x09, 0x01, 0x02 }, 0x1000)] // two-byte: 9 bytes claimed, 2 remain
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x05 }, 0x1000)] // two-byte: an id with no length byte
    public void Malformed_blocks_are_reported_not_thrown(byte[] elements, int profile)
    {
        byte[] packet = RtpPackets.BuildWithExtension(111, 1, 0, 1, Payload, elements, (ushort)profile);
        Assert.True(RtpHeader.TryParse(packet, out RtpHeader header));
        Assert.Equal(HeaderExtensionLookup.Malformed, RtpHeaderExtensions.TryFind(packet, header, 5, out _));
    }

    [Fact]
    public void Id_15_ends_a_one_byte_block_and_other_profiles_are_not_ours()
    {
        byte[] stop = [0xF0, .. RtpPackets.OneByteElement(1, [42])];
        byte[] packet = RtpPackets.BuildWithExtension(111, 1, 0, 1, Payload, stop);
        Assert.True(RtpHeader.TryParse(packet, out RtpHeader header));
        Assert.Equal(HeaderExtensionLookup.Absent, RtpHeaderExtensions.TryFind(packet, header, 1, out _));

        byte[] foreign = RtpPackets.BuildWithExtension(111, 1, 0, 1, Payload, RtpPackets.OneByteElement(1, [42]), profile: 0xABCD);
        Assert.True(RtpHeader.TryParse(foreign, out header));
        Assert.Equal(HeaderExtensionLookup.Absent, RtpHeaderExtensions.TryFind(foreign, header, 1, out _));
        Assert.Equal(HeaderExtensionLookup.Absent, RtpHeaderExtensions.TryFind(RtpPackets.Build(111, 1, 0, 1, Payload), default, 1, out _));
    }

    [Fact]
    public void Fuzzed_extension_blocks_never_throw_and_never_point_outside_the_packet()
    {
        const int Seed = 8285;
        var random = new Random(Seed);
        int found = 0, malformed = 0;
        for (int i = 0; i < 20_000; i++)
        {
            var elements = new byte[random.Next(0, 40)];
            random.NextBytes(elements);
            ushort profile = random.Next(3) switch { 0 => RtpHeaderExtensions.OneByteProfile, 1 => (ushort)(0x1000 | random.Next(16)), _ => (ushort)random.Next(65536) };
            byte[] packet = RtpPackets.BuildWithExtension(111, 1, 0, 1, Payload, elements, profile);
            if (random.Next(4) == 0)
            {
                // Lie about the block's length too: TryParse must reject what does not fit.
                packet[15] = (byte)random.Next(256);
            }

            if (!RtpHeader.TryParse(packet, out RtpHeader header))
            {
                continue;
            }

            int id = random.Next(0, 20);
            HeaderExtensionLookup lookup = RtpHeaderExtensions.TryFind(packet, header, id, out ReadOnlySpan<byte> data);
            found += lookup == HeaderExtensionLookup.Found ? 1 : 0;
            malformed += lookup == HeaderExtensionLookup.Malformed ? 1 : 0;
            Assert.True(lookup == HeaderExtensionLookup.Found || data.IsEmpty);
            Assert.True(data.Length <= packet.Length);
        }

        Assert.True(found > 100 && malformed > 100, $"seed {Seed}: the fuzzer should reach both outcomes (found {found}, malformed {malformed})");
    }
}
