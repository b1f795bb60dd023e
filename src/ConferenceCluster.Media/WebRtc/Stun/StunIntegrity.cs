using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace ConferenceCluster.Media.WebRtc.Stun;

/// <summary>
/// MESSAGE-INTEGRITY (HMAC-SHA1 with the short-term credential, RFC 5389 §15.4) and FINGERPRINT (CRC-32 XOR
/// 0x5354554E, §15.5) of one key. ICE uses a single key per agent: the password of the agent that receives the
/// request signs both the request and its response (RFC 8445 §7.2.2). Not thread-safe (one HMAC state is reused,
/// so no check allocates); the owning worker is the only user.
/// </summary>
public sealed class StunIntegrity : IDisposable
{
    private readonly IncrementalHash _hmac;

    /// <param name="key">The short-term credential: the ICE password's UTF-8 bytes (ICE passwords are ASCII, so SASLprep changes nothing).</param>
    public StunIntegrity(ReadOnlySpan<byte> key) => _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, key);

    public static StunIntegrity ForPassword(string password) => new(System.Text.Encoding.UTF8.GetBytes(password));

    /// <summary>True if <paramref name="message"/> carries MESSAGE-INTEGRITY and it was made with this key.</summary>
    public bool Verify(in StunMessage message)
    {
        if (message.MessageIntegrityOffset < 0)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[StunWire.MessageIntegrityLength];
        Compute(message.Bytes, message.MessageIntegrityOffset, expected);
        return CryptographicOperations.FixedTimeEquals(expected, message.Bytes.Slice(message.MessageIntegrityOffset + 4, StunWire.MessageIntegrityLength));
    }

    /// <summary>
    /// The HMAC over <paramref name="message"/>[..<paramref name="integrityOffset"/>], with the header's length
    /// field counting up to and including the MESSAGE-INTEGRITY attribute (and not a FINGERPRINT after it).
    /// </summary>
    public void Compute(ReadOnlySpan<byte> message, int integrityOffset, Span<byte> destination)
    {
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)(integrityOffset + 4 + StunWire.MessageIntegrityLength - StunWire.HeaderLength));
        _hmac.AppendData(message[..2]);
        _hmac.AppendData(length);
        _hmac.AppendData(message[4..integrityOffset]);
        _hmac.GetHashAndReset(destination);
    }

    /// <summary>True if the message has a FINGERPRINT and it matches (FINGERPRINT is always the last attribute).</summary>
    public static bool VerifyFingerprint(in StunMessage message)
    {
        int offset = message.FingerprintOffset;
        return offset >= 0 && BinaryPrimitives.ReadUInt32BigEndian(message.Bytes[(offset + 4)..]) == ComputeFingerprint(message.Bytes[..offset]);
    }

    /// <summary>CRC-32 of everything before the FINGERPRINT attribute, XOR 0x5354554E; the header's length must already include FINGERPRINT.</summary>
    public static uint ComputeFingerprint(ReadOnlySpan<byte> messageBeforeFingerprint) =>
        Crc32.HashToUInt32(messageBeforeFingerprint) ^ StunWire.FingerprintXor;

    public void Dispose() => _hmac.Dispose();
}
