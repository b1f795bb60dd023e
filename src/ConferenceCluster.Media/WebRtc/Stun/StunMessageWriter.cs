using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace ConferenceCluster.Media.WebRtc.Stun;

/// <summary>
/// Writes STUN messages into a caller's buffer, attribute by attribute, padding each to 4 bytes and keeping the
/// header's length current; <see cref="AddMessageIntegrity"/> and <see cref="AddFingerprint"/> close the message.
/// Nothing allocates.
/// </summary>
public ref struct StunMessageWriter
{
    private readonly Span<byte> _buffer;
    private int _length;

    /// <summary>Starts a message of <paramref name="type"/> with the given transaction id.</summary>
    public StunMessageWriter(Span<byte> buffer, ushort type, ReadOnlySpan<byte> transactionId)
    {
        if (transactionId.Length != StunWire.TransactionIdLength)
        {
            throw new ArgumentException("A STUN transaction id is 12 bytes.", nameof(transactionId));
        }

        _buffer = buffer;
        BinaryPrimitives.WriteUInt16BigEndian(buffer, type);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], StunWire.MagicCookie);
        transactionId.CopyTo(buffer[8..]);
        _length = StunWire.HeaderLength;
    }

    /// <summary>Bytes written so far (the whole message once closed).</summary>
    public readonly int Length => _length;

    public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

    public void AddAttribute(ushort type, scoped ReadOnlySpan<byte> value)
    {
        Span<byte> slot = Reserve(type, value.Length);
        value.CopyTo(slot);
    }

    public void AddUInt32(ushort type, uint value) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(type, 4), value);

    public void AddUInt64(ushort type, ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Reserve(type, 8), value);

    public void AddFlag(ushort type) => Reserve(type, 0);

    /// <summary>ERROR-CODE (§15.6): class and number, and a reason phrase.</summary>
    public void AddErrorCode(int code, string reason)
    {
        Span<byte> value = Reserve(StunAttributeType.ErrorCode, 4 + System.Text.Encoding.UTF8.GetByteCount(reason));
        value[..2].Clear();
        value[2] = (byte)(code / 100);
        value[3] = (byte)(code % 100);
        System.Text.Encoding.UTF8.GetBytes(reason, value[4..]);
    }

    /// <summary>XOR-MAPPED-ADDRESS (§15.2) of the sender, from its socket address (IPv4 or IPv6).</summary>
    public void AddXorMappedAddress(SocketAddress address)
    {
        int port = address[2] << 8 | address[3];
        bool v6 = address.Family == AddressFamily.InterNetworkV6;
        Span<byte> value = Reserve(StunAttributeType.XorMappedAddress, v6 ? 20 : 8);
        value[0] = 0;
        value[1] = (byte)(v6 ? 2 : 1);
        BinaryPrimitives.WriteUInt16BigEndian(value[2..], (ushort)(port ^ (StunWire.MagicCookie >> 16)));
        // sockaddr_in keeps the IPv4 address at bytes 4–7, sockaddr_in6 the IPv6 one at 8–23.
        int addressOffset = v6 ? 8 : 4;
        int addressLength = v6 ? 16 : 4;
        Span<byte> mask = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, StunWire.MagicCookie);
        _buffer.Slice(8, StunWire.TransactionIdLength).CopyTo(mask[4..]);
        for (int i = 0; i < addressLength; i++)
        {
            value[4 + i] = (byte)(address[addressOffset + i] ^ mask[i]);
        }
    }

    /// <summary>Closes the integrity-protected part: MESSAGE-INTEGRITY with <paramref name="integrity"/>'s key.</summary>
    public void AddMessageIntegrity(StunIntegrity integrity)
    {
        int offset = _length;
        Span<byte> value = Reserve(StunAttributeType.MessageIntegrity, StunWire.MessageIntegrityLength);
        integrity.Compute(_buffer, offset, value);
    }

    /// <summary>Closes the message: FINGERPRINT over everything before it.</summary>
    public void AddFingerprint()
    {
        int offset = _length;
        Span<byte> value = Reserve(StunAttributeType.Fingerprint, StunWire.FingerprintLength);
        BinaryPrimitives.WriteUInt32BigEndian(value, StunIntegrity.ComputeFingerprint(_buffer[..offset]));
    }

    /// <summary>Reads a XOR-MAPPED-ADDRESS value (at <see cref="StunMessage.XorMappedAddressOffset"/>) back into an endpoint.</summary>
    public static IPEndPoint ReadXorMappedAddress(in StunMessage message)
    {
        ReadOnlySpan<byte> value = message.Bytes[message.XorMappedAddressOffset..];
        int port = BinaryPrimitives.ReadUInt16BigEndian(value[2..]) ^ (int)(StunWire.MagicCookie >> 16);
        int length = value[1] == 2 ? 16 : 4;
        Span<byte> mask = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, StunWire.MagicCookie);
        message.TransactionId.CopyTo(mask[4..]);
        Span<byte> address = stackalloc byte[length];
        for (int i = 0; i < length; i++)
        {
            address[i] = (byte)(value[4 + i] ^ mask[i]);
        }

        return new IPEndPoint(new IPAddress(address), port);
    }

    /// <summary>Appends an attribute header and returns its value's slot; the header length includes the padding.</summary>
    private Span<byte> Reserve(ushort type, int valueLength)
    {
        int padded = (valueLength + 3) & ~3;
        Span<byte> attribute = _buffer.Slice(_length, 4 + padded);
        BinaryPrimitives.WriteUInt16BigEndian(attribute, type);
        BinaryPrimitives.WriteUInt16BigEndian(attribute[2..], (ushort)valueLength);
        attribute[(4 + valueLength)..].Clear();
        _length += 4 + padded;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[2..], (ushort)(_length - StunWire.HeaderLength));
        return attribute.Slice(4, valueLength);
    }
}
