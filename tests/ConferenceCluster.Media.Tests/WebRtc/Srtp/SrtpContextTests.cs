using System.Buffers.Binary;
using ConferenceCluster.Media.Tests.WebRtc.Support;
using ConferenceCluster.Media.WebRtc.Srtp;

namespace ConferenceCluster.Media.Tests.WebRtc.Srtp;

/// <summary>
/// SRTP/SRTCP AES_CM_128_HMAC_SHA1_80 against RFC 3711 Appendix B (AES-CM keystream, key derivation) and libsrtp's
/// reference packets (srtp_validate: the key is the B.3 master key and salt), plus rollover, replay and tampering.
/// </summary>
public class SrtpContextTests
{
    private static readonly SrtpMasterKey Rfc3711Key = new(Hex.Bytes("E1F97A0D3E018BE0D64FA32C06DE4139"), Hex.Bytes("0EC675AD498AFEEBB6960B3AABE6"));

    // RFC 3711 B.2: session key 2B7E...3C, salt F0F1...FD, SSRC 0, index 0: the keystream's blocks 0, 1, 2 and 0xFEFF–0xFF01.
    [Fact]
    public void Aes_cm_keystream_matches_rfc3711_b2()
    {
        using var aes = new AesCounterMode(Hex.Bytes("2B7E151628AED2A6ABF7158809CF4F3C"));
        var iv = Hex.Bytes("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000");
        var first = new byte[48];
        aes.WriteKeystream(iv, first);
        Assert.Equal(Hex.Bytes("E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB 41E95B3BB0A2E8DD477901E4FCA894C0"), first);

        var late = new byte[48];
        aes.WriteKeystream(Hex.Bytes("F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF"), late);
        Assert.Equal(Hex.Bytes("EC8CDF7398607CB0F2D21675EA9EA1E4 362B7C3C6773516318A077D7FC5073AE 6A2CC3787889374FBEB4C81B17BA6C44"), late);
    }

    // RFC 3711 B.3: kdr 0, index 0.
    [Fact]
    public void Session_keys_derive_as_rfc3711_b3()
    {
        SrtpSessionKeys keys = SrtpSessionKeys.ForRtp(Rfc3711Key);
        Assert.Equal(Hex.Bytes("C61E7A93744F39EE10734AFE3FF7A087"), keys.EncryptionKey);
        Assert.Equal(Hex.Bytes("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"), keys.AuthenticationKey);
        Assert.Equal(Hex.Bytes("30CBBC08863D8C85D49DB34A9AE1"), keys.Salt);
    }

    private static readonly byte[] RtpPlain = Hex.Bytes("800f1234decafbad cafebabe abababab abababab abababab abababab");
    private static readonly byte[] SrtpReference = Hex.Bytes("800f1234decafbad cafebabe 4e55dc4c e79978d8 8ca4d215 949d2402 b78d6acc 99ea179b 8dbb");
    private static readonly byte[] RtcpPlain = Hex.Bytes("81c8000b cafebabe abababab abababab abababab abababab");
    private static readonly byte[] SrtcpReference = Hex.Bytes("81c8000b cafebabe 7128035b e487b9bd bef89041 f977a5a8 80000001 993e08cd 54d6c123 0798");

    [Fact]
    public void Rtp_protects_to_libsrtp_reference_and_back()
    {
        using var sender = new SrtpContext(Rfc3711Key);
        var buffer = new byte[64];
        RtpPlain.CopyTo(buffer, 0);
        int length = sender.ProtectRtp(buffer, RtpPlain.Length);
        Assert.Equal(SrtpReference, buffer[..length]);

        using var receiver = new SrtpContext(Rfc3711Key);
        byte[] packet = (byte[])SrtpReference.Clone();
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(packet, out int plainLength));
        Assert.Equal(RtpPlain, packet[..plainLength]);
    }

    [Fact]
    public void Rtcp_protects_to_libsrtp_reference_and_back()
    {
        using var sender = new SrtpContext(Rfc3711Key);
        var buffer = new byte[64];
        RtcpPlain.CopyTo(buffer, 0);
        int length = sender.ProtectRtcp(buffer, RtcpPlain.Length);
        Assert.Equal(SrtcpReference, buffer[..length]); // libsrtp's first SRTCP index is 1, as ours

        using var receiver = new SrtpContext(Rfc3711Key);
        byte[] packet = (byte[])SrtcpReference.Clone();
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtcp(packet, out int plainLength));
        Assert.Equal(RtcpPlain, packet[..plainLength]);
        Assert.Equal(SrtpResult.Replayed, receiver.UnprotectRtcp((byte[])SrtcpReference.Clone(), out _));
    }

    [Fact]
    public void A_replayed_packet_and_one_older_than_the_window_are_refused_and_counted()
    {
        using var sender = new SrtpContext(Rfc3711Key);
        using var receiver = new SrtpContext(Rfc3711Key);
        byte[][] packets = Enumerable.Range(0, 100).Select(i => Protect(sender, (ushort)(1000 + i), ssrc: 7)).ToArray();
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(Copy(packets[0]), out _));
        Assert.Equal(SrtpResult.Replayed, receiver.UnprotectRtp(Copy(packets[0]), out _));
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(Copy(packets[99]), out _));
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(Copy(packets[50]), out _)); // late but inside the 64-packet window
        Assert.Equal(SrtpResult.Replayed, receiver.UnprotectRtp(Copy(packets[50]), out _));
        Assert.Equal(SrtpResult.Replayed, receiver.UnprotectRtp(Copy(packets[10]), out _)); // 89 behind: outside the window
        Assert.Equal(3, receiver.Statistics.Replayed);
        Assert.Equal(3, receiver.Statistics.Unprotected);
    }

    [Fact]
    public void A_changed_bit_anywhere_fails_authentication()
    {
        using var sender = new SrtpContext(Rfc3711Key);
        using var receiver = new SrtpContext(Rfc3711Key);
        byte[] packet = Protect(sender, 5, ssrc: 9);
        for (int i = 0; i < packet.Length; i++)
        {
            byte[] tampered = Copy(packet);
            tampered[i] ^= 0x10;
            SrtpResult result = receiver.UnprotectRtp(tampered, out _);
            Assert.True(result is SrtpResult.AuthenticationFailed or SrtpResult.Malformed, $"byte {i}: {result}");
        }

        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(packet, out _)); // the original still passes
    }

    // RFC 3711 §3.3.1: the sequence number wraps, the rollover counter counts it on both sides, per SSRC.
    [Fact]
    public void Rollover_counter_follows_the_sequence_wrap_per_ssrc()
    {
        using var sender = new SrtpContext(Rfc3711Key);
        using var receiver = new SrtpContext(Rfc3711Key);
        ushort sequence = 65530;
        var payloads = new List<byte[]>();
        for (int i = 0; i < 12; i++, sequence++)
        {
            byte[] packet = Protect(sender, sequence, ssrc: 1, payloadByte: (byte)i);
            if (i == 7)
            {
                continue; // lose one just after the wrap
            }

            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(packet, out int length));
            payloads.Add(packet[12..length]);
        }

        Assert.Equal(1u, sender.RolloverCounterOf(1));
        Assert.Equal(1u, receiver.RolloverCounterOf(1));
        Assert.All(payloads, p => Assert.Equal(p[0], p[^1]));

        // Another SSRC in the same context starts at ROC 0.
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(Protect(sender, 10, ssrc: 2), out _));
        Assert.Equal(0u, receiver.RolloverCounterOf(2));

        // A packet from before the wrap, arriving late, decrypts with ROC 0 (the estimate of §3.3.1).
        using var lateSender = new SrtpContext(Rfc3711Key);
        using var lateReceiver = new SrtpContext(Rfc3711Key);
        byte[] beforeWrap = Protect(lateSender, 65535, ssrc: 3, payloadByte: 0x55);
        byte[] afterWrap = Protect(lateSender, 1, ssrc: 3, payloadByte: 0x66);
        Assert.Equal(SrtpResult.Ok, lateReceiver.UnprotectRtp(Protect(new SrtpContext(Rfc3711Key), 65534, ssrc: 3), out _));
        Assert.Equal(SrtpResult.Ok, lateReceiver.UnprotectRtp(afterWrap, out int afterLength));
        Assert.Equal(0x66, afterWrap[afterLength - 1]);
        Assert.Equal(SrtpResult.Ok, lateReceiver.UnprotectRtp(beforeWrap, out int beforeLength));
        Assert.Equal(0x55, beforeWrap[beforeLength - 1]);
    }

    [Fact]
    public void Protect_and_unprotect_allocate_nothing_per_packet()
    {
        using var sender = new SrtpContext(Rfc3711Key);
        using var receiver = new SrtpContext(Rfc3711Key);
        var buffer = new byte[256];
        void RoundTrip(ushort sequence)
        {
            BuildRtp(buffer, sequence, 42, 0xAB, 160);
            int length = sender.ProtectRtp(buffer, 12 + 160);
            receiver.UnprotectRtp(buffer.AsSpan(0, length), out _);
        }

        for (ushort i = 0; i < 200; i++)
        {
            RoundTrip(i); // warm up: the SSRC's state, tiering
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (ushort i = 200; i < 1200; i++)
        {
            RoundTrip(i);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1000 * 24, $"1000 packets allocated {allocated} bytes");
    }

    internal static byte[] Protect(SrtpContext sender, ushort sequence, uint ssrc, byte payloadByte = 0xAB)
    {
        var buffer = new byte[12 + 20 + SrtpContext.RtpOverhead];
        BuildRtp(buffer, sequence, ssrc, payloadByte, 20);
        int length = sender.ProtectRtp(buffer, 32);
        return buffer[..length];
    }

    private static void BuildRtp(Span<byte> buffer, ushort sequence, uint ssrc, byte payloadByte, int payload)
    {
        buffer[0] = 0x80;
        buffer[1] = 111;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], sequence * 960u);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[8..], ssrc);
        buffer.Slice(12, payload).Fill(payloadByte);
    }

    private static byte[] Copy(byte[] packet) => (byte[])packet.Clone();
}
