using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Tests.Video.Support;
using ConferenceCluster.Media.Video.Rtp;

namespace ConferenceCluster.Media.Tests.Video.Rtp;

/// <summary>VP8 over RTP (RFC 7741): descriptors, packetization, reassembly with reordering, loss and retransmission.</summary>
public sealed class Vp8RtpTests
{
    [Fact]
    public void Descriptors_we_write_parse_back_and_the_optional_fields_of_others_are_skipped()
    {
        var buffer = new byte[8];
        Vp8PayloadDescriptor.Write(buffer, startOfFrame: true, pictureId: 0x1234);
        buffer[4] = 0xAA;
        Assert.True(Vp8PayloadDescriptor.TryParse(buffer.AsSpan(0, 5), out Vp8PayloadDescriptor ours));
        Assert.Equal((true, 0, 0x1234, true, 4), (ours.StartsFrame, ours.PartitionIndex, ours.PictureId, ours.LongPictureId, ours.Length));

        // RFC 7741 4.2: X, I with a 7-bit id, L (TL0PICIDX), T/K (TID/KEYIDX): 1 + 1 + 1 + 1 + 1 bytes.
        byte[] theirs = [0x90, 0xF0, 0x05, 0x11, 0x22, 0x9d];
        Assert.True(Vp8PayloadDescriptor.TryParse(theirs, out Vp8PayloadDescriptor other));
        Assert.Equal((true, 5, false, 5), (other.StartsFrame, other.PictureId, other.LongPictureId, other.Length));

        // A minimal descriptor: one byte, no extension; partition 1 does not start a frame.
        Assert.True(Vp8PayloadDescriptor.TryParse([0x11, 0x00], out Vp8PayloadDescriptor minimal));
        Assert.Equal((true, 1, false, 1), (minimal.StartOfPartition, minimal.PartitionIndex, minimal.StartsFrame, minimal.Length));

        // Claims more than is there, or nothing after the descriptor: rejected.
        Assert.False(Vp8PayloadDescriptor.TryParse([0x90, 0x80, 0x81], out _));
        Assert.False(Vp8PayloadDescriptor.TryParse([0x90, 0x80, 0x01], out _));
        Assert.False(Vp8PayloadDescriptor.TryParse([], out _));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1100)]
    [InlineData(1184)] // exactly one packet's room
    [InlineData(1185)]
    [InlineData(60_000)]
    public void A_frame_is_cut_into_near_equal_packets_under_1200_bytes_and_reassembled_exactly(int frameLength)
    {
        byte[] frame = Frame(frameLength, keyframe: true, seed: frameLength);
        var stream = new VideoSendStream(96, ssrc: 0x1234);
        List<byte[]> packets = PacketList.Of(stream, frame, 9000);
        Assert.All(packets, p => Assert.InRange(p.Length, 1, VideoSendStream.MaxPacketBytes));
        Assert.Equal((frameLength + 1183) / 1184, packets.Count);
        int[] payloads = packets.Select(p => p.Length).ToArray();
        Assert.True(payloads.Max() - payloads.Min() <= 1, "payloads are near equal");
        Assert.True(PacketList.Header(packets[^1]).Marker);
        Assert.All(packets.SkipLast(1), p => Assert.False(PacketList.Header(p).Marker));
        Assert.All(packets, p => Assert.Equal(9000u + stream.TimestampOffset, PacketList.Header(p).Timestamp));

        var assembler = new Vp8FrameAssembler();
        foreach (byte[] packet in packets)
        {
            Insert(assembler, packet);
        }

        Assert.True(assembler.TryTakeFrame(out ReadOnlySpan<byte> assembled, out uint timestamp, out bool keyframe, out bool afterLoss));
        Assert.Equal(frame, assembled.ToArray());
        Assert.Equal((9000u + stream.TimestampOffset, true, false), (timestamp, keyframe, afterLoss));
        Assert.False(assembler.TryTakeFrame(out _, out _, out _, out _));
    }

    [Fact]
    public void Reordered_packets_and_duplicates_still_give_each_frame_once_in_order()
    {
        var stream = new VideoSendStream(96);
        var all = new List<byte[]>();
        var frames = new List<byte[]>();
        for (int i = 0; i < 5; i++)
        {
            byte[] frame = Frame(3000 + i * 500, keyframe: i == 0, seed: i);
            frames.Add(frame);
            all.AddRange(PacketList.Of(stream, frame, 3000L * i));
        }

        var random = new Random(7);
        List<byte[]> shuffled = all.OrderBy(_ => random.Next()).ToList();
        shuffled.Insert(3, all[1]); // a duplicate
        // The first packet must come first: a stream is joined at a frame start.
        shuffled.Remove(all[0]);
        shuffled.Insert(0, all[0]);
        var assembler = new Vp8FrameAssembler();
        var received = new List<byte[]>();
        foreach (byte[] packet in shuffled)
        {
            Insert(assembler, packet);
            while (assembler.TryTakeFrame(out ReadOnlySpan<byte> frame, out _, out _, out bool afterLoss))
            {
                Assert.False(afterLoss);
                received.Add(frame.ToArray());
            }
        }

        Assert.Equal(frames, received);
        Assert.Equal(1, assembler.PacketsDuplicate);
    }

    [Fact]
    public void A_lost_packet_is_reported_missing_and_its_retransmission_completes_the_frame()
    {
        var stream = new VideoSendStream(96);
        byte[] frame = Frame(5000, keyframe: true, seed: 3);
        List<byte[]> packets = PacketList.Of(stream, frame, 0);
        var assembler = new Vp8FrameAssembler();
        foreach (byte[] packet in packets.Where((_, i) => i != 2))
        {
            Insert(assembler, packet);
        }

        Assert.False(assembler.TryTakeFrame(out _, out _, out _, out _));
        Span<ushort> missing = stackalloc ushort[8];
        Assert.Equal(1, assembler.CollectMissing(missing));
        Assert.Equal(PacketList.Header(packets[2]).SequenceNumber, missing[0]);

        // The sender answers the NACK from its history with the very same packet (RFC 4585 6.2.1).
        var sent = new PacketList();
        Assert.Equal(1, stream.Retransmit(missing[..1], ref sent));
        Assert.Equal(packets[2], sent.Packets[0]);
        Insert(assembler, sent.Packets[0]);
        Assert.True(assembler.TryTakeFrame(out ReadOnlySpan<byte> assembled, out _, out _, out bool afterLoss));
        Assert.Equal(frame, assembled.ToArray());
        Assert.False(afterLoss);
    }

    [Fact]
    public void A_frame_given_up_is_skipped_and_the_next_one_says_it_follows_a_loss()
    {
        var stream = new VideoSendStream(96);
        List<byte[]> first = PacketList.Of(stream, Frame(4000, true, 1), 0);
        byte[] secondFrame = Frame(800, false, 2);
        List<byte[]> second = PacketList.Of(stream, secondFrame, 3000);
        var assembler = new Vp8FrameAssembler();
        foreach (byte[] packet in first.Skip(1))
        {
            // The first frame's start is lost, so the stream has not started yet.
            RtpHeader header = PacketList.Header(packet);
            Assert.Equal(Vp8PacketVerdict.BeforeFirstFrame, assembler.Insert(header.SequenceNumber, header.Timestamp, header.Marker, header.PayloadOf(packet)));
        }

        Assert.False(assembler.TryTakeFrame(out _, out _, out _, out _));

        // Joined at the second frame; now lose the middle of a third and give up on it.
        List<byte[]> third = PacketList.Of(stream, Frame(4000, false, 3), 6000);
        byte[] fourthFrame = Frame(900, false, 4);
        List<byte[]> fourth = PacketList.Of(stream, fourthFrame, 9000);
        var joined = new Vp8FrameAssembler();
        foreach (byte[] packet in second.Concat(third.Where((_, i) => i != 1)).Concat(fourth))
        {
            Insert(joined, packet);
        }

        Assert.True(joined.TryTakeFrame(out ReadOnlySpan<byte> f2, out _, out _, out _));
        Assert.Equal(secondFrame, f2.ToArray());
        Assert.False(joined.TryTakeFrame(out _, out _, out _, out _));
        Assert.True(joined.HasHole);
        joined.SkipDamagedFrame();
        Assert.True(joined.TryTakeFrame(out ReadOnlySpan<byte> f4, out _, out bool keyframe, out bool afterLoss));
        Assert.Equal(fourthFrame, f4.ToArray());
        Assert.Equal((false, true), (keyframe, afterLoss));
        Assert.Equal(1, joined.FramesDamaged);
    }

    [Fact]
    public void Fuzzed_and_truncated_packets_never_throw_and_valid_frames_around_them_still_come_out()
    {
        const int Seed = 74_17;
        Console.WriteLine($"VP8 depacketizer fuzz seed {Seed}");
        var random = new Random(Seed);
        var stream = new VideoSendStream(96);
        var assembler = new Vp8FrameAssembler(slots: 64);
        int valid = 0, framesOut = 0;
        Span<ushort> missing = stackalloc ushort[64];
        for (int round = 0; round < 2000; round++)
        {
            byte[] frame = Frame(random.Next(1, 6000), keyframe: round % 10 == 0, seed: round);
            foreach (byte[] original in PacketList.Of(stream, frame, 3000L * round))
            {
                byte[] packet = (byte[])original.Clone();
                switch (random.Next(6))
                {
                    case 0: packet = packet[..random.Next(0, packet.Length)]; break;                    // truncated
                    case 1: random.NextBytes(packet.AsSpan(RtpHeader.FixedLength)); break;           // garbage payload
                    case 2: packet[RtpHeader.FixedLength] ^= (byte)random.Next(256); break;          // damaged descriptor
                    case 3: if (random.Next(4) == 0) continue; break;                                // lost
                    default: valid++; break;
                }

                if (RtpHeader.TryParse(packet, out RtpHeader header))
                {
                    assembler.Insert(header.SequenceNumber, header.Timestamp, header.Marker, header.PayloadOf(packet));
                }
            }

            while (assembler.TryTakeFrame(out ReadOnlySpan<byte> assembled, out _, out _, out _))
            {
                Assert.True(assembled.Length <= 1 << 20);
                framesOut++;
            }

            assembler.CollectMissing(missing);
            if (random.Next(3) == 0)
            {
                assembler.SkipDamagedFrame();
            }
        }

        Assert.True(valid > 1000 && framesOut > 50, $"{valid} intact packets, {framesOut} frames out");
        Assert.True(assembler.PacketsMalformed > 0);

        // Pure garbage of every length, including the RTP-looking kind.
        for (int i = 0; i < 5000; i++)
        {
            var garbage = new byte[random.Next(0, 1600)];
            random.NextBytes(garbage);
            assembler.Insert((ushort)random.Next(), (uint)random.Next(), random.Next(2) == 0, garbage);
            assembler.TryTakeFrame(out _, out _, out _, out _);
        }
    }

    [Fact]
    public void The_nack_scheduler_asks_at_once_then_every_interval_up_to_the_limit()
    {
        var scheduler = new NackScheduler { RetryIntervalMs = 40, MaxRequests = 3 };
        Span<ushort> due = stackalloc ushort[16];
        ushort[] missing = [65534, 65535, 0, 3];
        Assert.Equal(4, scheduler.Update(missing, 1000, due));
        Assert.Equal(0, scheduler.Update(missing, 1020, due));
        Assert.Equal(4, scheduler.Update(missing, 1040, due));
        Assert.Equal(3, scheduler.Update([65535, 0, 3], 1080, due)); // 65534 arrived
        Assert.False(scheduler.Exhausted(1080));
        Assert.Equal(0, scheduler.Update([65535, 0, 3], 1200, due));
        Assert.True(scheduler.Exhausted(1200));
        Assert.Equal(1, scheduler.Update([65535, 0, 3, 7], 1200, due)); // a new loss is asked for at once
        Assert.Equal(7, due[0]);
        Assert.Equal(12, scheduler.Requested);
    }

    /// <summary>A fake VP8 frame: a frame tag with the key frame bit (and start code), then seeded bytes.</summary>
    internal static byte[] Frame(int length, bool keyframe, int seed)
    {
        var frame = new byte[length];
        new Random(seed).NextBytes(frame);
        frame[0] = (byte)(keyframe ? frame[0] & ~1 : frame[0] | 1);
        return frame;
    }

    /// <summary>Inserts an intact packet: stored, or recognised as a duplicate.</summary>
    private static void Insert(Vp8FrameAssembler assembler, byte[] packet)
    {
        RtpHeader header = PacketList.Header(packet);
        Vp8PacketVerdict verdict = assembler.Insert(header.SequenceNumber, header.Timestamp, header.Marker, header.PayloadOf(packet));
        Assert.True(verdict is Vp8PacketVerdict.Stored or Vp8PacketVerdict.Duplicate, verdict.ToString());
    }
}
