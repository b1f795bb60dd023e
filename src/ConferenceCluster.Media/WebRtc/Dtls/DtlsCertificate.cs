using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace ConferenceCluster.Media.WebRtc.Dtls;

/// <summary>
/// The media node's DTLS identity: a self-signed ECDSA P-256 certificate (RFC 8827 §6.5 requires ECDSA P-256
/// support; browsers make the same kind) and its private key, and the fingerprint put in every SDP answer. One
/// certificate serves every leg of a node; browsers pin it per call through the fingerprint, so nothing is gained by
/// one per leg but the key generation cost.
/// </summary>
public sealed class DtlsCertificate
{
    private DtlsCertificate(byte[] der, AsymmetricKeyParameter privateKey, DateTimeOffset notAfter)
    {
        Der = der;
        PrivateKey = privateKey;
        NotAfter = notAfter;
        Fingerprint = DtlsFingerprint.Of(der);
    }

    /// <summary>The certificate, DER-encoded.</summary>
    public byte[] Der { get; }

    /// <summary>SHA-256 of <see cref="Der"/>, for a=fingerprint.</summary>
    public DtlsFingerprint Fingerprint { get; }

    public DateTimeOffset NotAfter { get; }

    internal AsymmetricKeyParameter PrivateKey { get; }

    /// <summary>A new key pair and certificate valid from a day ago (clock skew) for <paramref name="lifetime"/> (default 30 days).</summary>
    public static DtlsCertificate Generate(TimeProvider? clock = null, TimeSpan? lifetime = null, string commonName = "ConferenceCluster")
    {
        var random = new SecureRandom();
        var keys = new ECKeyPairGenerator("EC");
        keys.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, random));
        AsymmetricCipherKeyPair pair = keys.GenerateKeyPair();

        DateTimeOffset now = (clock ?? TimeProvider.System).GetUtcNow();
        DateTimeOffset notAfter = now + (lifetime ?? TimeSpan.FromDays(30));
        var generator = new X509V3CertificateGenerator();
        var name = new X509Name("CN=" + commonName);
        generator.SetSerialNumber(BigInteger.ProbablePrime(120, random));
        generator.SetIssuerDN(name);
        generator.SetSubjectDN(name);
        generator.SetNotBefore(now.UtcDateTime.AddDays(-1));
        generator.SetNotAfter(notAfter.UtcDateTime);
        generator.SetPublicKey(pair.Public);
        X509Certificate certificate = generator.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", pair.Private, random));
        return new DtlsCertificate(certificate.GetEncoded(), pair.Private, notAfter);
    }
}
