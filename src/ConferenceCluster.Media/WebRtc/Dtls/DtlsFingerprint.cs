using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ConferenceCluster.Media.WebRtc.Dtls;

/// <summary>
/// A certificate fingerprint as SDP carries it (RFC 8122 §5: <c>a=fingerprint:sha-256 AB:CD:...</c>): the hash
/// function's name and the digest of the DER certificate. The peer's certificate must match the fingerprint its
/// offer gave (RFC 8827 §6.5), which is what makes an unauthenticated DTLS handshake safe.
/// </summary>
public sealed class DtlsFingerprint : IEquatable<DtlsFingerprint>
{
    private readonly byte[] _digest;

    private DtlsFingerprint(string algorithm, byte[] digest)
    {
        Algorithm = algorithm;
        _digest = digest;
    }

    /// <summary>The hash function's name in lower case (sha-1, sha-256, sha-384, sha-512).</summary>
    public string Algorithm { get; }

    public ReadOnlySpan<byte> Digest => _digest;

    /// <summary>The fingerprint of a DER certificate with the named hash (sha-256 unless said otherwise).</summary>
    public static DtlsFingerprint Of(ReadOnlySpan<byte> derCertificate, string algorithm = "sha-256")
    {
        string normalized = algorithm.ToLowerInvariant();
        return new DtlsFingerprint(normalized, Hash(normalized, derCertificate) ?? throw new ArgumentException($"Unsupported fingerprint hash {algorithm}.", nameof(algorithm)));
    }

    /// <summary>Parses "sha-256 AB:CD:..." (the a=fingerprint value); false for an unknown hash or a malformed digest.</summary>
    public static bool TryParse(string? value, out DtlsFingerprint? fingerprint)
    {
        fingerprint = null;
        if (value is null)
        {
            return false;
        }

        string[] parts = value.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2)
        {
            return false;
        }

        string algorithm = parts[0].ToLowerInvariant();
        int expectedLength = DigestLength(algorithm);
        string[] octets = parts[1].Trim().Split(':');
        if (expectedLength == 0 || octets.Length != expectedLength)
        {
            return false;
        }

        var digest = new byte[expectedLength];
        for (int i = 0; i < octets.Length; i++)
        {
            if (octets[i].Length != 2 || !byte.TryParse(octets[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out digest[i]))
            {
                return false;
            }
        }

        fingerprint = new DtlsFingerprint(algorithm, digest);
        return true;
    }

    /// <summary>Whether a DER certificate hashes to this fingerprint (with this fingerprint's hash function).</summary>
    public bool Matches(ReadOnlySpan<byte> derCertificate) =>
        Hash(Algorithm, derCertificate) is { } digest && CryptographicOperations.FixedTimeEquals(digest, _digest);

    /// <summary>"sha-256 AB:CD:..." as in a=fingerprint.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(Algorithm.Length + 1 + _digest.Length * 3);
        text.Append(Algorithm).Append(' ');
        for (int i = 0; i < _digest.Length; i++)
        {
            if (i > 0)
            {
                text.Append(':');
            }

            text.Append(_digest[i].ToString("X2", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    public bool Equals(DtlsFingerprint? other) => other is not null && Algorithm == other.Algorithm && _digest.AsSpan().SequenceEqual(other._digest);

    public override bool Equals(object? obj) => Equals(obj as DtlsFingerprint);

    public override int GetHashCode() => HashCode.Combine(Algorithm, _digest.Length > 0 ? _digest[0] : 0);

    private static int DigestLength(string algorithm) => algorithm switch
    {
        "sha-1" => 20,
        "sha-256" => 32,
        "sha-384" => 48,
        "sha-512" => 64,
        _ => 0,
    };

    private static byte[]? Hash(string algorithm, ReadOnlySpan<byte> data) => algorithm switch
    {
        "sha-1" => SHA1.HashData(data),
        "sha-256" => SHA256.HashData(data),
        "sha-384" => SHA384.HashData(data),
        "sha-512" => SHA512.HashData(data),
        _ => null,
    };
}
