using System.Buffers.Binary;

namespace ConferenceCluster.Media.WebRtc.Stun;

/// <summary>
/// A parsed STUN message (RFC 5389): its header and where the attributes ICE needs lie in the datagram. Parsing
/// copies nothing and never throws: anything malformed is simply not a message. Integrity and fingerprint are
/// located here and checked by <see cref="StunIntegrity"/>.
/// </summary>
public readonly ref struct StunMessage
{
    private readonly ReadOnlySpan<byte> _datagram;

    private StunMessage(ReadOnlySpan<byte> datagram) => _datagram = datagram;

    public ushort Type { get; private init; }

    /// <summary>The whole message (header + attributes) inside the datagram.</summary>
    public ReadOnlySpan<byte> Bytes => _datagram;

    public ReadOnlySpan<byte> TransactionId => _datagram.Slice(8, StunWire.TransactionIdLength);

    /// <summary>USERNAME value (ICE: "&lt;receiver ufrag&gt;:&lt;sender ufrag&gt;"), empty if absent.</summary>
    public ReadOnlySpan<byte> Username => UsernameLength < 0 ? default : _datagram.Slice(UsernameOffset, UsernameLength);

    public bool HasUsername => UsernameLength >= 0;

    /// <summary>Offset of the MESSAGE-INTEGRITY attribute's header, or -1.</summary>
    public int MessageIntegrityOffset { get; private init; }

    /// <summary>Offset of the FINGERPRINT attribute's header, or -1.</summary>
    public int FingerprintOffset { get; private init; }

    public bool HasPriority { get; private init; }

    public uint Priority { get; private init; }

    public bool UseCandidate { get; private init; }

    public bool IceControlling { get; private init; }

    public bool IceControlled { get; private init; }

    /// <summary>ERROR-CODE as a number (e.g. 401), 0 if absent.</summary>
    public int ErrorCode { get; private init; }

    /// <summary>A comprehension-required attribute we do not know was present (its type, else 0).</summary>
    public ushort UnknownRequiredAttribute { get; private init; }

    /// <summary>XOR-MAPPED-ADDRESS offset (its value), or -1: see <see cref="StunMessageWriter.TryReadXorMappedAddress"/>.</summary>
    public int XorMappedAddressOffset { get; private init; }

    private int UsernameOffset { get; init; }

    private int UsernameLength { get; init; }

    /// <summary>RFC 7983: a datagram whose first byte is 0–3 is STUN.</summary>
    public static bool LooksLikeStun(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= StunWire.HeaderLength && datagram[0] < 4 && BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) == StunWire.MagicCookie;

    /// <summary>
    /// Parses a STUN message. False for anything that is not one: bad cookie, a length that is not the datagram's,
    /// attributes overrunning, anything but FINGERPRINT after MESSAGE-INTEGRITY, anything after FINGERPRINT.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out StunMessage message)
    {
        message = default;
        if (!LooksLikeStun(datagram))
        {
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if ((length & 3) != 0 || StunWire.HeaderLength + length != datagram.Length)
        {
            return false;
        }

        int usernameOffset = 0, usernameLength = -1, integrity = -1, fingerprint = -1, xorMapped = -1, errorCode = 0;
        bool hasPriority = false, useCandidate = false, controlling = false, controlled = false;
        uint priority = 0;
        ushort unknownRequired = 0;
        int offset = StunWire.HeaderLength;
        while (offset < datagram.Length)
        {
            if (datagram.Length - offset < 4 || fingerprint >= 0)
            {
                return false; // a truncated attribute header, or something after FINGERPRINT (§15.5)
            }

            ushort type = BinaryPrimitives.ReadUInt16BigEndian(datagram[offset..]);
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]);
            int valueOffset = offset + 4;
            int padded = (valueLength + 3) & ~3;
            if (padded > datagram.Length - valueOffset)
            {
                return false;
            }

            if (integrity >= 0 && type != StunAttributeType.Fingerprint)
            {
                return false; // only FINGERPRINT may follow MESSAGE-INTEGRITY (§15.4)
            }

            ReadOnlySpan<byte> value = datagram.Slice(valueOffset, valueLength);
            switch (type)
            {
                case StunAttributeType.Username:
                    if (usernameLength >= 0 || valueLength > 513) return false;
                    (usernameOffset, usernameLength) = (valueOffset, valueLength);
                    break;
                case StunAttributeType.MessageIntegrity:
                    if (valueLength != StunWire.MessageIntegrityLength) return false;
                    integrity = offset;
                    break;
                case StunAttributeType.Fingerprint:
                    if (valueLength != StunWire.FingerprintLength) return false;
                    fingerprint = offset;
                    break;
                case StunAttributeType.Priority:
                    if (valueLength != 4) return false;
                    hasPriority = true;
                    priority = BinaryPrimitives.ReadUInt32BigEndian(value);
                    break;
                case StunAttributeType.UseCandidate:
                    if (valueLength != 0) return false;
                    useCandidate = true;
                    break;
                case StunAttributeType.IceControlling:
                    if (valueLength != 8) return false;
                    controlling = true;
                    break;
                case StunAttributeType.IceControlled:
                    if (valueLength != 8) return false;
                    controlled = true;
                    break;
                case StunAttributeType.XorMappedAddress:
                    if (valueLength is not (8 or 20)) return false;
                    xorMapped = valueOffset;
                    break;
                case StunAttributeType.ErrorCode:
                    if (valueLength < 4) return false;
                    errorCode = (value[2] & 0x7) * 100 + value[3];
                    break;
                default:
                    if (StunAttributeType.IsComprehensionRequired(type) && unknownRequired == 0 && type != StunAttributeType.MappedAddress)
                    {
                        unknownRequired = type;
                    }

                    break;
            }

            offset = valueOffset + padded;
        }

        message = new StunMessage(datagram)
        {
            Type = BinaryPrimitives.ReadUInt16BigEndian(datagram),
            UsernameOffset = usernameOffset,
            UsernameLength = usernameLength,
            MessageIntegrityOffset = integrity,
            FingerprintOffset = fingerprint,
            HasPriority = hasPriority,
            Priority = priority,
            UseCandidate = useCandidate,
            IceControlling = controlling,
            IceControlled = controlled,
            ErrorCode = errorCode,
            UnknownRequiredAttribute = unknownRequired,
            XorMappedAddressOffset = xorMapped,
        };
        return true;
    }
}
