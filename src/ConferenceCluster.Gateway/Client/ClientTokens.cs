using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using ConferenceCluster.Conferencing.Cluster;
using ConferenceCluster.Storage.Documents;

namespace ConferenceCluster.Gateway.Client;

/// <summary>What a client API token says: whose it is, in which conference, which silo holds its signalling, until when.</summary>
public sealed record ClientToken(string Conference, string ParticipantId, string SignalingNode, DateTimeOffset ExpiresAt);

/// <summary>Why a token was refused (every refusal is a 403 "Invalid token" to the client; the reason goes to the log).</summary>
public enum ClientTokenFailure
{
    Missing,
    Malformed,
    BadSignature,
    Expired,
}

/// <summary>A verified token, or why not.</summary>
public readonly record struct ClientTokenCheck(ClientToken? Token, ClientTokenFailure? Failure)
{
    public bool IsValid => Token is not null;
}

/// <summary>
/// Client API tokens (Pexip's <c>token</c> header): <c>base64url(claims).base64url(HMAC-SHA256(key, claims))</c>. The
/// claims bind the token to its participant, conference and signalling node and carry its expiry, so any silo holding
/// the cluster's key (<see cref="ClientTokenKey"/>) can check one without asking anyone; whether the participant still
/// exists (not released, disconnected or ended) only its signalling node knows, and the API asks it
/// (<see cref="IClientSignalingGrain.GetParticipant"/>). docs/decisions.md, "Client API tokens".
/// </summary>
public sealed class ClientTokens(ClientTokenKey key, TimeProvider time)
{
    /// <summary>A token's life, Pexip's <c>expires</c> ("120"): clients refresh it well before (the web app at half).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(120);

    private const int MaxTokenLength = 2048;

    public ClientToken Issue(string conference, string participantId, string signalingNode)
    {
        // Whole seconds, so the expiry a client is told and the one the token carries agree.
        var expires = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds()) + Lifetime;
        return new ClientToken(conference, participantId, signalingNode, expires);
    }

    /// <summary>The token's text for the client.</summary>
    public string Encode(ClientToken token)
    {
        var claims = JsonSerializer.SerializeToUtf8Bytes(new Claims(token.Conference, token.ParticipantId, token.SignalingNode, token.ExpiresAt.ToUnixTimeSeconds()));
        var mac = HMACSHA256.HashData(key.Key, claims);
        return $"{Base64Url.EncodeToString(claims)}.{Base64Url.EncodeToString(mac)}";
    }

    public ClientTokenCheck Verify(string? text)
    {
        if (string.IsNullOrEmpty(text)) return new(null, ClientTokenFailure.Missing);
        var dot = text.IndexOf('.');
        if (text.Length > MaxTokenLength || dot <= 0 || dot == text.Length - 1) return new(null, ClientTokenFailure.Malformed);
        byte[] claimBytes, mac;
        try
        {
            claimBytes = Base64Url.DecodeFromChars(text.AsSpan(0, dot));
            mac = Base64Url.DecodeFromChars(text.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return new(null, ClientTokenFailure.Malformed);
        }
        if (!CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(key.Key, claimBytes)))
            return new(null, ClientTokenFailure.BadSignature);
        Claims? claims;
        try
        {
            claims = JsonSerializer.Deserialize<Claims>(claimBytes);
        }
        catch (JsonException)
        {
            return new(null, ClientTokenFailure.Malformed); // signed by us, so only a key shared with an incompatible version gets here
        }
        if (claims is not { C: { } conference, P: { } participant, N: { } node }) return new(null, ClientTokenFailure.Malformed);
        var expires = DateTimeOffset.FromUnixTimeSeconds(claims.E);
        if (time.GetUtcNow() >= expires) return new(null, ClientTokenFailure.Expired);
        return new(new ClientToken(conference, participant, node, expires), null);
    }

    private sealed record Claims(
        [property: JsonPropertyName("c")] string? C,
        [property: JsonPropertyName("p")] string? P,
        [property: JsonPropertyName("n")] string? N,
        [property: JsonPropertyName("e")] long E);
}

/// <summary>
/// The cluster's secret for client API tokens: 32 random bytes, made by the first silo that needs them and kept in the
/// cluster database (collection <see cref="Collection"/>), so a token issued by one silo is checked by every other.
/// Loaded before the silo joins; racing first silos agree through the store's insert-if-absent.
/// </summary>
public sealed class ClientTokenKey : IBeforeJoiningStep
{
    public const string Collection = "client_api";
    public const string DocumentId = "token_key";
    private const int KeyBytes = 32;

    private readonly IClusterDocumentStore? _documents;
    private byte[]? _key;

    public ClientTokenKey(IClusterDocumentStore documents) => _documents = documents;

    private ClientTokenKey(byte[] key) => _key = key;

    /// <summary>A fixed key (tests).</summary>
    public static ClientTokenKey Of(byte[] key) => key.Length >= KeyBytes ? new(key) : throw new ArgumentException($"a key has at least {KeyBytes} bytes", nameof(key));

    public byte[] Key => _key ?? throw new InvalidOperationException("the client API token key is not loaded yet (the silo is starting)");

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_key is not null || _documents is null) return;
        var stored = await _documents.GetAsync(Collection, DocumentId, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            var fresh = new StoredKey(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes)));
            stored = await _documents.TryInsertAsync(Collection, DocumentId, JsonSerializer.Serialize(fresh), cancellationToken).ConfigureAwait(false)
                     ?? await _documents.GetAsync(Collection, DocumentId, cancellationToken).ConfigureAwait(false); // another silo won the race
        }
        var key = stored is null ? null : JsonSerializer.Deserialize<StoredKey>(stored.Json)?.Key;
        _key = key is null ? throw new InvalidOperationException($"the cluster database has no usable {Collection}/{DocumentId}") : Convert.FromBase64String(key);
    }

    private sealed record StoredKey([property: JsonPropertyName("key")] string Key);
}
