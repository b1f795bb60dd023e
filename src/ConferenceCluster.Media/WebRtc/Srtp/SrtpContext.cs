using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ConferenceCluster.Media.WebRtc.Srtp;

/// <summary>
/// SRTP and SRTCP with AES_CM_128_HMAC_SHA1_80 (RFC 3711; the profile every browser supports, RFC 8827) for one
/// direction of one leg: a context made from the browser's master key unprotects what it sends, one made from ours
/// protects what we send. Each SSRC has its own rollover counter (§3.2.1) and replay window (§3.3.2); a new SSRC
/// gets its state only once a packet of it has authenticated, and at most <see cref="MaxStreams"/> do.
/// </summary>
/// <remarks>
/// Packets are processed in place: protection appends the 10-byte tag (SRTCP: the 4-byte index and the tag), so
/// the buffer needs <see cref="RtpOverhead"/> / <see cref="RtcpOverhead"/> bytes of room. Keystream and HMAC state
/// are reused, so no packet allocates. Not thread-safe: one worker owns a leg's contexts.
/// </remarks>
public sealed class SrtpContext : IDisposable
{
    public const int TagLength = 10;
    public const int RtpOverhead = TagLength;
    public const int RtcpOverhead = 4 + TagLength;

    /// <summary>SSRCs one context keeps state for (a browser sends one or two per audio stream).</summary>
    public const int MaxStreams = 16;

    private const int RtpHeaderLength = 12;
    private const int RtcpHeaderLength = 8;

    private readonly SrtpSessionKeys _rtpKeys;
    private readonly SrtpSessionKeys _rtcpKeys;
    private readonly AesCounterMode _rtpCipher;
    private readonly AesCounterMode _rtcpCipher;
    private readonly IncrementalHash _rtpAuth;
    private readonly IncrementalHash _rtcpAuth;
    private readonly Dictionary<uint, RtpStream> _rtpStreams = [];
    private readonly Dictionary<uint, RtcpStream> _rtcpStreams = [];
    private readonly byte[] _tag = new byte[20];
    private long _protected, _unprotected, _malformed, _authFailures, _replayed, _tooManyStreams;

    public SrtpContext(SrtpMasterKey masterKey)
    {
        ArgumentNullException.ThrowIfNull(masterKey);
        _rtpKeys = SrtpSessionKeys.ForRtp(masterKey);
        _rtcpKeys = SrtpSessionKeys.ForRtcp(masterKey);
        _rtpCipher = new AesCounterMode(_rtpKeys.EncryptionKey);
        _rtcpCipher = new AesCounterMode(_rtcpKeys.EncryptionKey);
        _rtpAuth = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, _rtpKeys.AuthenticationKey);
        _rtcpAuth = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, _rtcpKeys.AuthenticationKey);
    }

    public SrtpStatistics Statistics => new(
        Interlocked.Read(ref _protected), Interlocked.Read(ref _unprotected), Interlocked.Read(ref _malformed),
        Interlocked.Read(ref _authFailures), Interlocked.Read(ref _replayed), Interlocked.Read(ref _tooManyStreams));

    /// <summary>The rollover counter of an SSRC we know (tests and statistics), or null.</summary>
    public uint? RolloverCounterOf(uint ssrc) => _rtpStreams.TryGetValue(ssrc, out RtpStream? stream) ? stream.Roc : null;

    /// <summary>Encrypts the RTP packet in <paramref name="buffer"/>[..<paramref name="length"/>] and appends its tag.</summary>
    /// <returns>The SRTP packet's length, or -1 if it is not RTP or the buffer has no room for the tag.</returns>
    public int ProtectRtp(Span<byte> buffer, int length)
    {
        int header = RtpHeaderLengthOf(buffer[..length]);
        if (header < 0 || buffer.Length < length + TagLength)
        {
            Interlocked.Increment(ref _malformed);
            return -1;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);
        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        if (!_rtpStreams.TryGetValue(ssrc, out RtpStream? stream))
        {
            if (_rtpStreams.Count >= MaxStreams)
            {
                Interlocked.Increment(ref _tooManyStreams);
                return -1;
            }

            stream = new RtpStream { Started = true, HighestSequence = sequence };
            _rtpStreams.Add(ssrc, stream);
        }
        else if (sequence < stream.HighestSequence && stream.HighestSequence - sequence > 0x8000)
        {
            stream.Roc++; // §3.3.1: the sender's sequence number wrapped
            stream.HighestSequence = sequence;
        }
        else if (sequence > stream.HighestSequence && sequence - stream.HighestSequence < 0x8000)
        {
            stream.HighestSequence = sequence;
        }

        long index = ((long)stream.Roc << 16) | sequence;
        EncryptRtp(buffer.Slice(header, length - header), ssrc, index);
        WriteTag(_rtpAuth, buffer[..length], stream.Roc, buffer.Slice(length, TagLength), withRoc: true);
        Interlocked.Increment(ref _protected);
        return length + TagLength;
    }

    /// <summary>Authenticates, checks for replay and decrypts an SRTP packet in place.</summary>
    /// <param name="length">The RTP packet's length (the tag removed) when <see cref="SrtpResult.Ok"/>.</param>
    public SrtpResult UnprotectRtp(Span<byte> packet, out int length)
    {
        length = 0;
        int header = packet.Length >= TagLength ? RtpHeaderLengthOf(packet[..^TagLength]) : -1;
        if (header < 0)
        {
            return Count(SrtpResult.Malformed);
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        _rtpStreams.TryGetValue(ssrc, out RtpStream? stream);
        long roc = stream is null ? 0 : EstimateRoc(stream, sequence);
        if (roc < 0 || roc > uint.MaxValue)
        {
            return Count(SrtpResult.Replayed); // from before the stream's start
        }

        long index = (roc << 16) | sequence;
        if (stream is not null && !stream.Window.IsFresh(index))
        {
            return Count(SrtpResult.Replayed);
        }

        int authenticated = packet.Length - TagLength;
        Span<byte> expected = _tag.AsSpan(0, TagLength);
        WriteTag(_rtpAuth, packet[..authenticated], (uint)roc, expected, withRoc: true);
        if (!CryptographicOperations.FixedTimeEquals(expected, packet[authenticated..]))
        {
            return Count(SrtpResult.AuthenticationFailed);
        }

        if (stream is null)
        {
            if (_rtpStreams.Count >= MaxStreams)
            {
                return Count(SrtpResult.TooManyStreams);
            }

            stream = new RtpStream();
            _rtpStreams.Add(ssrc, stream);
        }

        stream.Window.Accept(index);
        if (!stream.Started || index >= stream.Window.Highest)
        {
            (stream.Started, stream.Roc, stream.HighestSequence) = (true, (uint)roc, sequence);
        }

        EncryptRtp(packet[header..authenticated], ssrc, index);
        length = authenticated;
        return Count(SrtpResult.Ok);
    }

    /// <summary>Encrypts a compound RTCP packet in place and appends E|index and the tag.</summary>
    /// <returns>The SRTCP packet's length, or -1 if it is not RTCP or the buffer has no room.</returns>
    public int ProtectRtcp(Span<byte> buffer, int length)
    {
        if (length < RtcpHeaderLength || buffer[0] >> 6 != 2 || buffer.Length < length + RtcpOverhead)
        {
            Interlocked.Increment(ref _malformed);
            return -1;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        if (!_rtcpStreams.TryGetValue(ssrc, out RtcpStream? stream))
        {
            if (_rtcpStreams.Count >= MaxStreams)
            {
                Interlocked.Increment(ref _tooManyStreams);
                return -1;
            }

            stream = new RtcpStream();
            _rtcpStreams.Add(ssrc, stream);
        }

        uint index = stream.NextSendIndex;
        stream.NextSendIndex = (index + 1) & 0x7FFF_FFFF;
        EncryptRtcp(buffer[RtcpHeaderLength..length], ssrc, index);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[length..], 0x8000_0000 | index); // E = 1: encrypted
        WriteTag(_rtcpAuth, buffer[..(length + 4)], 0, buffer.Slice(length + 4, TagLength), withRoc: false);
        Interlocked.Increment(ref _protected);
        return length + RtcpOverhead;
    }

    /// <summary>Authenticates, checks for replay and (if E is set) decrypts an SRTCP packet in place.</summary>
    public SrtpResult UnprotectRtcp(Span<byte> packet, out int length)
    {
        length = 0;
        if (packet.Length < RtcpHeaderLength + RtcpOverhead || packet[0] >> 6 != 2)
        {
            return Count(SrtpResult.Malformed);
        }

        int authenticated = packet.Length - TagLength;
        uint word = BinaryPrimitives.ReadUInt32BigEndian(packet[(authenticated - 4)..]);
        bool encrypted = (word & 0x8000_0000) != 0;
        uint index = word & 0x7FFF_FFFF;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        _rtcpStreams.TryGetValue(ssrc, out RtcpStream? stream);
        if (stream is not null && !stream.Window.IsFresh(index))
        {
            return Count(SrtpResult.Replayed);
        }

        Span<byte> expected = _tag.AsSpan(0, TagLength);
        WriteTag(_rtcpAuth, packet[..authenticated], 0, expected, withRoc: false);
        if (!CryptographicOperations.FixedTimeEquals(expected, packet[authenticated..]))
        {
            return Count(SrtpResult.AuthenticationFailed);
        }

        if (stream is null)
        {
            if (_rtcpStreams.Count >= MaxStreams)
            {
                return Count(SrtpResult.TooManyStreams);
            }

            stream = new RtcpStream();
            _rtcpStreams.Add(ssrc, stream);
        }

        stream.Window.Accept(index);
        length = authenticated - 4;
        if (encrypted)
        {
            EncryptRtcp(packet[RtcpHeaderLength..length], ssrc, index);
        }

        return Count(SrtpResult.Ok);
    }

    public void Dispose()
    {
        _rtpCipher.Dispose();
        _rtcpCipher.Dispose();
        _rtpAuth.Dispose();
        _rtcpAuth.Dispose();
    }

    /// <summary>
    /// RFC 3711 §3.3.1 / Appendix A: the rollover counter that puts <paramref name="sequence"/> closest to the highest
    /// sequence number seen (may be −1: a packet from before the stream began).
    /// </summary>
    private static long EstimateRoc(RtpStream stream, ushort sequence)
    {
        long roc = stream.Roc;
        int highest = stream.HighestSequence;
        if (highest < 0x8000)
        {
            return sequence - highest > 0x8000 ? roc - 1 : roc;
        }

        return highest - 0x8000 > sequence ? roc + 1 : roc;
    }

    /// <summary>Fixed header + CSRCs + extension of an RTP packet, or −1 if it is not one.</summary>
    private static int RtpHeaderLengthOf(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < RtpHeaderLength || packet[0] >> 6 != 2)
        {
            return -1;
        }

        int length = RtpHeaderLength + 4 * (packet[0] & 0x0F);
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < length + 4)
            {
                return -1;
            }

            length += 4 + 4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(length + 2)..]);
        }

        return length <= packet.Length ? length : -1;
    }

    /// <summary>§4.1.1: IV = (k_s · 2^16) XOR (SSRC · 2^64) XOR (index · 2^16).</summary>
    private void EncryptRtp(Span<byte> payload, uint ssrc, long index) => ApplyKeystream(_rtpCipher, _rtpKeys.Salt, payload, ssrc, index);

    private void EncryptRtcp(Span<byte> payload, uint ssrc, uint index) => ApplyKeystream(_rtcpCipher, _rtcpKeys.Salt, payload, ssrc, index);

    private static void ApplyKeystream(AesCounterMode cipher, ReadOnlySpan<byte> salt, Span<byte> data, uint ssrc, long index)
    {
        if (data.IsEmpty)
        {
            return;
        }

        Span<byte> iv = stackalloc byte[AesCounterMode.BlockSize];
        iv.Clear();
        salt.CopyTo(iv);
        Span<byte> ssrcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(ssrcBytes, ssrc);
        for (int i = 0; i < 4; i++)
        {
            iv[4 + i] ^= ssrcBytes[i];
        }

        Span<byte> indexBytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(indexBytes, index);
        for (int i = 0; i < 6; i++)
        {
            iv[8 + i] ^= indexBytes[2 + i];
        }

        cipher.Apply(iv, data);
    }

    /// <summary>§4.2: HMAC-SHA1 over the authenticated portion (and, for SRTP, the ROC), truncated to 80 bits.</summary>
    private void WriteTag(IncrementalHash hmac, ReadOnlySpan<byte> authenticated, uint roc, Span<byte> destination, bool withRoc)
    {
        hmac.AppendData(authenticated);
        if (withRoc)
        {
            Span<byte> rocBytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(rocBytes, roc);
            hmac.AppendData(rocBytes);
        }

        hmac.GetHashAndReset(_tag);
        _tag.AsSpan(0, TagLength).CopyTo(destination);
    }

    private SrtpResult Count(SrtpResult result)
    {
        switch (result)
        {
            case SrtpResult.Ok: Interlocked.Increment(ref _unprotected); break;
            case SrtpResult.Malformed: Interlocked.Increment(ref _malformed); break;
            case SrtpResult.AuthenticationFailed: Interlocked.Increment(ref _authFailures); break;
            case SrtpResult.Replayed: Interlocked.Increment(ref _replayed); break;
            case SrtpResult.TooManyStreams: Interlocked.Increment(ref _tooManyStreams); break;
        }

        return result;
    }

    private sealed class RtpStream
    {
        public bool Started;
        public uint Roc;
        public ushort HighestSequence;
        public SrtpReplayWindow Window;
    }

    private sealed class RtcpStream
    {
        /// <summary>Like libsrtp (which browsers use), the first SRTCP packet carries index 1.</summary>
        public uint NextSendIndex = 1;
        public SrtpReplayWindow Window;
    }
}
