namespace ConferenceCluster.Media.WebRtc.Stun;

/// <summary>STUN message types (RFC 5389 §6: method and class interleaved in 14 bits).</summary>
public static class StunMessageType
{
    public const ushort BindingRequest = 0x0001;
    public const ushort BindingIndication = 0x0011;
    public const ushort BindingSuccessResponse = 0x0101;
    public const ushort BindingErrorResponse = 0x0111;

    /// <summary>The class bits (C1 C0 at bits 8 and 4): 0 request, 1 indication, 2 success, 3 error.</summary>
    public static int ClassOf(ushort type) => ((type >> 7) & 0b10) | ((type >> 4) & 0b01);

    /// <summary>The method with the class bits removed (Binding is 1).</summary>
    public static int MethodOf(ushort type) => (type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2);
}

/// <summary>STUN attribute types used by ICE (RFC 5389 §18.2, RFC 8445 §16.1).</summary>
public static class StunAttributeType
{
    public const ushort MappedAddress = 0x0001;
    public const ushort Username = 0x0006;
    public const ushort MessageIntegrity = 0x0008;
    public const ushort ErrorCode = 0x0009;
    public const ushort UnknownAttributes = 0x000A;
    public const ushort XorMappedAddress = 0x0020;
    public const ushort Priority = 0x0024;
    public const ushort UseCandidate = 0x0025;
    public const ushort Software = 0x8022;
    public const ushort Fingerprint = 0x8028;
    public const ushort IceControlled = 0x8029;
    public const ushort IceControlling = 0x802A;

    /// <summary>0x0000–0x7FFF are comprehension-required: an unknown one makes the message unacceptable (RFC 5389 §15).</summary>
    public static bool IsComprehensionRequired(ushort type) => type < 0x8000;
}

/// <summary>Fixed sizes and values of the STUN wire format (RFC 5389 §6, §15).</summary>
public static class StunWire
{
    public const int HeaderLength = 20;
    public const uint MagicCookie = 0x2112A442;
    public const int TransactionIdLength = 12;
    public const int MessageIntegrityLength = 20;
    public const int FingerprintLength = 4;

    /// <summary>XOR applied to the CRC-32 in FINGERPRINT (RFC 5389 §15.5).</summary>
    public const uint FingerprintXor = 0x5354554E;
}
