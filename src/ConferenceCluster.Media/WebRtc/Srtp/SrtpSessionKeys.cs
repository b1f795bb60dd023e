namespace ConferenceCluster.Media.WebRtc.Srtp;

/// <summary>
/// The session keys of one direction (RFC 3711 §4.3), derived from the master key and salt with the AES-CM PRF and
/// key derivation rate 0 (the DTLS-SRTP default: the keys never change within a master key's life).
/// </summary>
internal sealed class SrtpSessionKeys
{
    public const int AuthKeyLength = 20;

    // RFC 3711 §4.3.2 labels.
    private const byte RtpEncryption = 0x00, RtpAuthentication = 0x01, RtpSalt = 0x02;
    private const byte RtcpEncryption = 0x03, RtcpAuthentication = 0x04, RtcpSalt = 0x05;

    private SrtpSessionKeys(byte[] encryption, byte[] authentication, byte[] salt)
    {
        EncryptionKey = encryption;
        AuthenticationKey = authentication;
        Salt = salt;
    }

    public byte[] EncryptionKey { get; }

    public byte[] AuthenticationKey { get; }

    /// <summary>14 bytes.</summary>
    public byte[] Salt { get; }

    public static SrtpSessionKeys ForRtp(SrtpMasterKey master) => Derive(master, RtpEncryption, RtpAuthentication, RtpSalt);

    public static SrtpSessionKeys ForRtcp(SrtpMasterKey master) => Derive(master, RtcpEncryption, RtcpAuthentication, RtcpSalt);

    /// <summary>
    /// RFC 3711 §4.3.1 with kdr = 0: x = (label || 0^48) XOR master salt, and the key is AES-CM(master key) keystream
    /// from IV = x · 2^16.
    /// </summary>
    internal static void DeriveKey(AesCounterMode prf, ReadOnlySpan<byte> masterSalt, byte label, Span<byte> destination)
    {
        Span<byte> iv = stackalloc byte[AesCounterMode.BlockSize];
        iv.Clear();
        masterSalt.CopyTo(iv);
        iv[7] ^= label; // the label is the 7th byte from the right of the 112-bit salt
        prf.WriteKeystream(iv, destination);
    }

    private static SrtpSessionKeys Derive(SrtpMasterKey master, byte encryptionLabel, byte authenticationLabel, byte saltLabel)
    {
        using var prf = new AesCounterMode(master.Key);
        var encryption = new byte[SrtpMasterKey.KeyLength];
        var authentication = new byte[AuthKeyLength];
        var salt = new byte[SrtpMasterKey.SaltLength];
        DeriveKey(prf, master.Salt, encryptionLabel, encryption);
        DeriveKey(prf, master.Salt, authenticationLabel, authentication);
        DeriveKey(prf, master.Salt, saltLabel, salt);
        return new SrtpSessionKeys(encryption, authentication, salt);
    }
}
