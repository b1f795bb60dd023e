using System.Security.Cryptography;
using System.Text;

namespace ConferenceCluster.Silo.Security;

/// <summary>
/// A salted PBKDF2 hash of the generated admin password, as kept in the cluster database (never the password).
/// The algorithm and iteration count are stored with it so a later build can raise the cost for new hashes.
/// </summary>
internal sealed record AdminPasswordHash(string Algorithm, int Iterations, string Salt, string Hash, DateTimeOffset CreatedAt)
{
    private const string Pbkdf2Sha256 = "pbkdf2-sha256";
    // OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.
    private const int DefaultIterations = 600_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static AdminPasswordHash Create(string password, TimeProvider time)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(password, salt, DefaultIterations);
        return new AdminPasswordHash(Pbkdf2Sha256, DefaultIterations, Convert.ToBase64String(salt), Convert.ToBase64String(hash), time.GetUtcNow());
    }

    public bool Matches(string password)
    {
        if (Algorithm != Pbkdf2Sha256)
            throw new InvalidOperationException($"the stored admin password uses an unknown algorithm '{Algorithm}'");
        var expected = Convert.FromBase64String(Hash);
        return CryptographicOperations.FixedTimeEquals(Derive(password, Convert.FromBase64String(Salt), Iterations), expected);
    }

    private static byte[] Derive(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
}
