using ConferenceCluster.Media.Jitter;

namespace ConferenceCluster.Media.Tests.Jitter;

public class JitterBufferTests
{
    private static readonly JitterBufferOptions Options = new() { MinDelayFrames = 2, InitialDelayFrames = 2, MaxDelayFrames = 8, MaxConcealedFrames = 2, ShrinkAfterTicks = 3 };

    [Fact]
    public void Buffers_to_the_target_then_plays_in_sequence_order_despite_reordering()
    {
        using var buffer = new JitterBuffer(Options);
        Insert(buffer, 11);
        Assert.Equal(JitterPlayout.Silent, buffer.Next(out _, out _)); // depth 1 < target 2
        Insert(buffer, 10); // arrived late but before playout started: moves the start back
        Insert(buffer, 13);
        Insert(buffer, 12);

        Assert.Equal([10, 11, 12, 13], PlayAll(buffer, 4));
    }

    [Fact]
    public void Duplicates_and_late_packets_are_dropped_and_counted()
    {
        using var buffer = new JitterBuffer(Options);
        Insert(buffer, 1);
        Insert(buffer, 2);
        Assert.Equal(JitterInsertResult.Duplicate, Insert(buffer, 2));
        Assert.Equal([1], PlayAll(buffer, 1));
        Assert.Equal(JitterInsertResult.Late, Insert(buffer, 1));
        Assert.Equal(1, buffer.DuplicatePackets);
        Assert.Equal(1, buffer.LatePackets);
    }

    [Fact]
    public void A_gap_is_missing_with_the_next_payload_offered_for_fec()
    {
        using var buffer = new JitterBuffer(Options);
        Insert(buffer, 100);
        Insert(buffer, 102);
        Assert.Equal(JitterPlayout.Packet, buffer.Next(out ReadOnlySpan<byte> first, out _));
        Assert.Equal(100, first[0]);

        Assert.Equal(JitterPlayout.Missing, buffer.Next(out _, out ReadOnlySpan<byte> next));
        Assert.Equal(102, next[0]);
        Assert.Equal(1, buffer.LostFrames);

        Assert.Equal(JitterPlayout.Packet, buffer.Next(out ReadOnlySpan<byte> third, out _));
        Assert.Equal(102, third[0]);
    }

    [Fact]
    public void A_gap_of_two_offers_no_fec_for_the_first_missing_frame()
    {
        using var buffer = new JitterBuffer(Options);
        Insert(buffer, 1);
        Insert(buffer, 4);
        buffer.Next(out _, out _);
        Assert.Equal(JitterPlayout.Missing, buffer.Next(out _, out ReadOnlySpan<byte> none));
        Assert.True(none.IsEmpty);
        Assert.Equal(JitterPlayout.Missing, buffer.Next(out _, out ReadOnlySpan<byte> next));
        Assert.Equal(4, next[0]);
    }

    [Fact]
    public void Running_dry_conceals_briefly_then_goes_silent_and_rebuffers()
    {
        using var buffer = new JitterBuffer(Options);
        Insert(buffer, 1);
        Insert(buffer, 2);
        PlayAll(buffer, 2);
        Assert.Equal(JitterPlayout.Missing, buffer.Next(out _, out _));
        Assert.Equal(JitterPlayout.Missing, buffer.Next(out _, out _));
        Assert.Equal(JitterPlayout.Silent, buffer.Next(out _, out _));
        Assert.True(buffer.IsSilent);
        Assert.Equal(2, buffer.UnderrunFrames);

        // The talker comes back later: the buffer restarts from its first packet.
        Insert(buffer, 50);
        Assert.Equal(JitterPlayout.Silent, buffer.Next(out _, out _));
        Insert(buffer, 51);
        Assert.Equal([50, 51], PlayAll(buffer, 2));
    }

    [Fact]
    public void A_late_packet_after_an_underrun_is_still_played_and_the_delay_grows()
    {
        using var buffer = new JitterBuffer(Options);
        Insert(buffer, 1);
        Insert(buffer, 2);
        PlayAll(buffer, 2);
        Assert.Equal(JitterPlayout.Missing, buffer.Next(out _, out _)); // 3 is late: conceal and wait for it
        Assert.Equal(JitterInsertResult.Accepted, Insert(buffer, 3));
        Insert(buffer, 4);
        Assert.Equal([3, 4], PlayAll(buffer, 2));
        Assert.Equal(1, buffer.UnderrunFrames);
        Assert.Equal(0, buffer.LatePackets);
    }

    [Fact]
    public void Target_delay_follows_jitter_within_bounds()
    {
        using var buffer = new JitterBuffer(Options);
        buffer.UpdateJitter(0);
        Assert.Equal(2, buffer.TargetDelayFrames);
        buffer.UpdateJitter(10); // 3 × 10 ms = 1.5 frames → 2 more
        Assert.Equal(4, buffer.TargetDelayFrames);
        buffer.UpdateJitter(500);
        Assert.Equal(8, buffer.TargetDelayFrames);
    }

    [Fact]
    public void An_overfull_buffer_drops_a_frame_to_shrink_the_delay()
    {
        using var buffer = new JitterBuffer(Options);
        for (int seq = 0; seq < 10; seq++)
        {
            Insert(buffer, seq);
        }

        List<int> played = PlayAll(buffer, 6);
        Assert.Equal(1, buffer.DroppedFrames);
        Assert.Equal([0, 1, 2, 4, 5, 6], played);
    }

    [Fact]
    public void A_jump_far_beyond_the_capacity_resynchronises()
    {
        using var buffer = new JitterBuffer(Options);
        Insert(buffer, 1);
        Assert.Equal(JitterInsertResult.Resynchronised, Insert(buffer, 5000));
        Insert(buffer, 5001);
        Assert.Equal([5000 & 0xFF, 5001 & 0xFF], PlayAll(buffer, 2));
    }

    [Fact]
    public void Sequence_wrap_is_seamless()
    {
        using var buffer = new JitterBuffer(Options);
        foreach (int seq in new[] { 65534, 65535, 0, 1 })
        {
            Insert(buffer, seq);
        }

        Assert.Equal([65534 & 0xFF, 65535 & 0xFF, 0, 1], PlayAll(buffer, 4));
    }

    [Fact]
    public void Oversized_payload_is_refused()
    {
        using var buffer = new JitterBuffer(new JitterBufferOptions { MaxPayloadBytes = 8 });
        Assert.Equal(JitterInsertResult.TooLarge, buffer.Insert(1, new byte[9]));
    }

    /// <summary>Inserts a one-byte payload holding the low byte of the sequence number.</summary>
    private static JitterInsertResult Insert(JitterBuffer buffer, int sequence) => buffer.Insert((ushort)sequence, [(byte)sequence]);

    private static List<int> PlayAll(JitterBuffer buffer, int frames)
    {
        var played = new List<int>();
        for (int i = 0; i < frames; i++)
        {
            JitterPlayout playout = buffer.Next(out ReadOnlySpan<byte> payload, out _);
            Assert.Equal(JitterPlayout.Packet, playout);
            played.Add(payload[0]);
        }

        return played;
    }
}
