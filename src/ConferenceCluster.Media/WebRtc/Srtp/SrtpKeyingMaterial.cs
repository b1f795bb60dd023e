namespace ConferenceCluster.Media.WebRtc.Srtp;

/// <summary>An SRTP master key and master salt (RFC 3711 §8.2): 16 + 14 bytes for AES_CM_128_HMAC_SHA1_80.</summary>
public sealed class SrtpMasterKey
{
    public const int KeyLength = 16;
    public const int SaltLength = 14;

    public SrtpMasterKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt)
    {
        if (key.Length != KeyLength || salt.Length != SaltLength)
        {
            throw new ArgumentException($"An AES_CM_128 master key is {KeyLength} bytes and its salt {SaltLength}.");
        }

        Key = key.ToArray();
        Salt = salt.ToArray();
    }

    public byte[] Key { get; }

    public byte[] Salt { get; }
}

/// <summary>
/// The keys a DTLS-SRTP handshake exported (RFC 5764 §4.2): 60 bytes laid out as client key | server key |
/// client salt | server salt. The DTLS server (we, with a=setup:passive) encrypts with the server's and decrypts
/// with the client's.
/// </summary>
public sealed class SrtpKeyingMaterial
{
    public const int ExportLength = 2 * (SrtpMasterKey.KeyLength + SrtpMasterKey.SaltLength);

    public SrtpKeyingMaterial(SrtpMasterKey client, SrtpMasterKey server)
    {
        Client = client;
        Server = server;
    }

    public SrtpMasterKey Client { get; }

    public SrtpMasterKey Server { get; }

    public static SrtpKeyingMaterial FromExport(ReadOnlySpan<byte> exported)
    {
        if (exported.Length != ExportLength)
        {
            throw new ArgumentException($"DTLS-SRTP exports {ExportLength} bytes for AES_CM_128_HMAC_SHA1_80.", nameof(exported));
        }

        const int k = SrtpMasterKey.KeyLength, s = SrtpMasterKey.SaltLength;
        return new SrtpKeyingMaterial(
            new SrtpMasterKey(exported[..k], exported.Slice(2 * k, s)),
            new SrtpMasterKey(exported.Slice(k, k), exported.Slice(2 * k + s, s)));
    }
}
