using ConferenceCluster.Media.WebRtc.Dtls;
using ConferenceCluster.Media.WebRtc.Srtp;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace ConferenceCluster.Media.Tests.WebRtc.Support;

/// <summary>
/// A browser's side of DTLS-SRTP for tests without a browser: BouncyCastle's DTLS 1.2 client with its own self-signed
/// ECDSA certificate (whose fingerprint goes in the test's offer), offering use_srtp, exporting the same 60 bytes.
/// </summary>
internal sealed class TestDtlsClient : DefaultTlsClient
{
    private readonly DtlsCertificate _certificate;

    public TestDtlsClient(DtlsCertificate certificate) : base(new BcTlsCrypto(new SecureRandom())) => _certificate = certificate;

    public SrtpKeyingMaterial? Keys { get; private set; }

    /// <summary>Runs the handshake over <paramref name="transport"/> (blocking) and returns the exported keys.</summary>
    public static SrtpKeyingMaterial Connect(DtlsCertificate certificate, DatagramTransport transport)
    {
        var client = new TestDtlsClient(certificate);
        new DtlsClientProtocol().Connect(client, transport);
        return client.Keys!;
    }

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    public override IDictionary<int, byte[]> GetClientExtensions()
    {
        IDictionary<int, byte[]> extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetClientExtensions());
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData([SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80], []));
        return extensions;
    }

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        Keys = SrtpKeyingMaterial.FromExport(m_context.ExportKeyingMaterial(ExporterLabel.dtls_srtp, null, SrtpKeyingMaterial.ExportLength));
    }

    private sealed class Authentication(TestDtlsClient client) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate)
        {
            // A browser checks the server's certificate against the answer's fingerprint; the tests check the server side.
        }

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest)
        {
            var crypto = (BcTlsCrypto)client.Crypto;
            var chain = new Certificate([new BcTlsCertificate(crypto, client._certificate.Der)]);
            return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(client.m_context), crypto, client._certificate.PrivateKey, chain,
                new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
        }
    }
}
