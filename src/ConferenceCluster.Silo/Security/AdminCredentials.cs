using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ConferenceCluster.Storage.Documents;
using ConferenceCluster.Silo.Configuration;

namespace ConferenceCluster.Silo.Security;

public enum AdminAuthenticationResult
{
    Authenticated,
    Rejected,
    /// <summary>The cluster database is not open yet (the silo is starting).</summary>
    Unavailable,
}

/// <summary>
/// Checks management API credentials against <c>Admin:Username</c> and either <c>Admin:Password</c> or, when
/// that is unset, the cluster's generated password, whose salted hash lives in the cluster database.
/// </summary>
public sealed partial class AdminCredentials(AdminOptions options, TimeProvider time, ILogger<AdminCredentials> logger)
{
    public const string Collection = "admin";
    public const string DocumentId = "credentials";
    private const int GeneratedPasswordLength = 24;
    private const string PasswordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private IClusterDocumentStore? _documents;
    // PBKDF2 is deliberately slow; a password that verified is remembered by its SHA-256 (in memory only) until the stored hash changes.
    private VerifiedPassword? _lastVerified;

    /// <summary>
    /// Makes sure the cluster has admin credentials. With no <c>Admin:Password</c>, the first silo of the cluster
    /// generates a password, and only the silo whose insert wins logs it: concurrent first starts agree on one.
    /// </summary>
    public async Task InitializeAsync(IClusterDocumentStore documents, string clusterId, CancellationToken cancellationToken)
    {
        if (options.Password is null)
        {
            var existing = await documents.GetAsync(Collection, DocumentId, cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                var password = RandomNumberGenerator.GetString(PasswordAlphabet, GeneratedPasswordLength);
                var hash = AdminPasswordHash.Create(password, time);
                var inserted = await documents.TryInsertAsync(Collection, DocumentId, JsonSerializer.Serialize(hash, JsonOptions), cancellationToken).ConfigureAwait(false);
                if (inserted is not null)
                    LogGeneratedPassword(logger, clusterId, options.Username, password);
            }
        }
        _documents = documents;
    }

    public async Task<AdminAuthenticationResult> AuthenticateAsync(string username, string password, CancellationToken cancellationToken)
    {
        var usernameMatches = FixedTimeEquals(username, options.Username);
        if (options.Password is not null)
            return usernameMatches & FixedTimeEquals(password, options.Password) ? AdminAuthenticationResult.Authenticated : AdminAuthenticationResult.Rejected;

        if (_documents is null)
            return AdminAuthenticationResult.Unavailable;
        var document = await _documents.GetAsync(Collection, DocumentId, cancellationToken).ConfigureAwait(false);
        if (document is null)
            return AdminAuthenticationResult.Rejected;

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        var remembered = Volatile.Read(ref _lastVerified);
        bool passwordMatches;
        if (remembered is not null && remembered.DocumentVersion == document.Version && CryptographicOperations.FixedTimeEquals(remembered.Digest, digest))
        {
            passwordMatches = true;
        }
        else
        {
            var hash = JsonSerializer.Deserialize<AdminPasswordHash>(document.Json, JsonOptions)
                ?? throw new InvalidOperationException("the stored admin credentials are empty");
            passwordMatches = hash.Matches(password);
            if (passwordMatches)
                Volatile.Write(ref _lastVerified, new VerifiedPassword(document.Version, digest));
        }
        return usernameMatches && passwordMatches ? AdminAuthenticationResult.Authenticated : AdminAuthenticationResult.Rejected;
    }

    // Comparing digests keeps the comparison constant-time whatever the lengths.
    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));

    private sealed record VerifiedPassword(long DocumentVersion, byte[] Digest);

    [LoggerMessage(Level = LogLevel.Warning, EventName = "AdminPasswordGenerated",
        Message = "Generated the management API password for cluster {ClusterId}: user '{AdminUsername}', password '{AdminPassword}'. " +
                  "It is shown only this once and only its hash is stored; set Admin:Password to choose your own.")]
    private static partial void LogGeneratedPassword(ILogger logger, string clusterId, string adminUsername, string adminPassword);
}
