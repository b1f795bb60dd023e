using ConferenceCluster.Media.WebRtc.Srtp;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace ConferenceCluster.Media.WebRtc.Dtls;

/// <summary>
/// BouncyCastle's DTLS server, set up for WebRTC (RFC 8827 §6.5, RFC 5764): DTLS 1.2 only (BouncyCastle has no
/// DTLS 1.3 server; a browser offering 1.3 falls back to 1.2), ECDHE-ECDSA suites with our P-256 certificate, a
/// client certificate required and checked against the fingerprint of the browser's offer, use_srtp with
/// SRTP_AES128_CM_HMAC_SHA1_80 and no MKI, and the SRTP keys exported when the handshake completes.
/// </summary>
internal sealed class DtlsSrtpServer : DefaultTlsServer
{
    private static readonly int[] WebRtcCipherSuites =
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, // RFC 8827 §6.5: the one every browser has
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    ];

    private readonly DtlsCertificate _certificate;
    private readonly DtlsFingerprint _expectedClientFingerprint;
    private readonly int _handshakeTimeoutMillis;
    private int _srtpProfile = -1;

    public DtlsSrtpServer(BcTlsCrypto crypto, DtlsCertificate certificate, DtlsFingerprint expectedClientFingerprint, TimeSpan handshakeTimeout)
        : base(crypto)
    {
        _certificate = certificate;
        _expectedClientFingerprint = expectedClientFingerprint;
        _handshakeTimeoutMillis = (int)handshakeTimeout.TotalMilliseconds;
    }

    /// <summary>The keys, once the handshake completed.</summary>
    public SrtpKeyingMaterial? Keys { get; private set; }

    /// <summary>Why the client's certificate was refused, if it was.</summary>
    public string? CertificateFailure { get; private set; }

    public override int GetHandshakeTimeoutMillis() => _handshakeTimeoutMillis;

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto, WebRtcCipherSuites);

    protected override TlsCredentialedSigner GetECDsaSignerCredentials()
    {
        var crypto = (BcTlsCrypto)Crypto;
        var chain = new Certificate([new BcTlsCertificate(crypto, _certificate.Der)]);
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(m_context), crypto, _certificate.PrivateKey, chain,
            new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    }

    /// <summary>
    /// Ask for the browser's certificate. ecdsa_sign must be listed: Chrome 124 stopped answering a request that
    /// named rsa_sign only (sipsorcery issue 1104); both are listed, as browsers may use either key type.
    /// </summary>
    public override CertificateRequest GetCertificateRequest() =>
        new([ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign], TlsUtilities.GetDefaultSupportedSignatureAlgorithms(m_context), null);

    /// <summary>RFC 8827 §6.5 / RFC 5763 §5: the certificate must hash to the fingerprint of the offer, else bad_certificate.</summary>
    public override void NotifyClientCertificate(Certificate clientCertificate)
    {
        if (clientCertificate is null || clientCertificate.IsEmpty)
        {
            CertificateFailure = "the browser sent no certificate";
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }

        byte[] der = clientCertificate.GetCertificateAt(0).GetEncoded();
        if (!_expectedClientFingerprint.Matches(der))
        {
            CertificateFailure = $"the browser's certificate does not match the offer's a=fingerprint ({_expectedClientFingerprint.Algorithm})";
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }
    }

    /// <summary>RFC 5764 §4.1.1: pick SRTP_AES128_CM_HMAC_SHA1_80 from the client's use_srtp; without it there is no SRTP.</summary>
    public override void ProcessClientExtensions(IDictionary<int, byte[]> clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);
        UseSrtpData? useSrtp = TlsSrtpUtilities.GetUseSrtpExtension(clientExtensions);
        if (useSrtp is null || Array.IndexOf(useSrtp.ProtectionProfiles, SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80) < 0)
        {
            throw new TlsFatalAlert(AlertDescription.handshake_failure);
        }

        _srtpProfile = SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80;
    }

    public override IDictionary<int, byte[]> GetServerExtensions()
    {
        IDictionary<int, byte[]> extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetServerExtensions());
        // RFC 8827 §6.5 (and RFC 5764 §4.1.1): no MKI.
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData([_srtpProfile], []));
        return extensions;
    }

    /// <summary>RFC 5764 §4.2: 60 bytes of "EXTRACTOR-dtls_srtp" with no context. BouncyCastle marks the context connected before this call.</summary>
    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        byte[] exported = m_context.ExportKeyingMaterial(ExporterLabel.dtls_srtp, null, SrtpKeyingMaterial.ExportLength);
        Keys = SrtpKeyingMaterial.FromExport(exported);
    }
}
