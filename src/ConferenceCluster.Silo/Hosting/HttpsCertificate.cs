using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ConferenceCluster.Silo.Configuration;

namespace ConferenceCluster.Silo.Hosting;

/// <summary>
/// The certificate of the silo's HTTPS listener (<c>Silo:Ports:Https</c>): the operator's (<c>Silo:Https:Certificate</c>,
/// PKCS#12 or PEM with <c>Silo:Https:Key</c>), or one the silo makes for itself at start: self-signed, ECDSA P-256, for its
/// advertised address, localhost and 127.0.0.1, valid a year. A browser warns about a self-signed certificate once per
/// start (a new one each time); its SHA-256 fingerprint is logged so a user can compare it with what the browser shows.
/// </summary>
internal static class HttpsCertificate
{
    public static X509Certificate2 Load(SiloHostOptions silo, TimeProvider time, out string description)
    {
        if (silo.Https.Certificate is { } path)
        {
            var certificate = silo.Https.Key is { } key
                ? X509Certificate2.CreateFromPemFile(path, key)
                : Path.GetExtension(path).ToLowerInvariant() is ".pem" or ".crt"
                    ? X509Certificate2.CreateFromPemFile(path)
                    : X509CertificateLoader.LoadPkcs12FromFile(path, password: null);
            description = $"certificate {certificate.Subject} from {path}, SHA-256 {certificate.GetCertHashString(HashAlgorithmName.SHA256)}";
            return certificate;
        }
        var generated = SelfSigned(silo.AdvertisedAddress, time);
        description = $"a self-signed certificate for {silo.AdvertisedAddress} made at start (set Silo:Https:Certificate for your own), " +
                      $"SHA-256 {generated.GetCertHashString(HashAlgorithmName.SHA256)}";
        return generated;
    }

    public static X509Certificate2 SelfSigned(string advertisedAddress, TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={advertisedAddress}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        if (IPAddress.TryParse(advertisedAddress, out var ip)) names.AddIpAddress(ip);
        else names.AddDnsName(advertisedAddress);
        names.AddDnsName("localhost");
        if (!IPAddress.Loopback.Equals(ip)) names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // server authentication
        var now = time.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }
}
