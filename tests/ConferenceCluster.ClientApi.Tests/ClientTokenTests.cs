using System.Text;
using ConferenceCluster.Gateway.Client;
using Microsoft.Extensions.Time.Testing;

namespace ConferenceCluster.ClientApi.Tests;

/// <summary>
/// The client API's tokens (docs/decisions.md, "Client API tokens"): bound to participant, conference and signalling
/// node by an HMAC any silo of the cluster checks, expiring after Pexip's 120 s. Whether the participant still exists
/// is the signalling node's to say (tested through the API in <see cref="ClientApiTests"/>).
/// </summary>
public sealed class ClientTokenTests
{
    private static readonly byte[] Key = Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcdef");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));

    private ClientTokens Tokens(byte[]? key = null) => new(ClientTokenKey.Of(key ?? Key), _clock);

    [Fact]
    public void A_token_carries_its_conference_participant_and_signalling_node_and_expires_after_120_seconds()
    {
        var tokens = Tokens();
        var issued = tokens.Issue("meet", "p-1", "silo-a");
        var check = tokens.Verify(tokens.Encode(issued));

        Assert.True(check.IsValid, check.Failure?.ToString());
        Assert.Equal(new ClientToken("meet", "p-1", "silo-a", _clock.GetUtcNow() + TimeSpan.FromSeconds(120)), check.Token);
    }

    [Fact]
    public void A_token_is_worthless_from_its_expiry_on()
    {
        var tokens = Tokens();
        var text = tokens.Encode(tokens.Issue("meet", "p-1", "silo-a"));
        _clock.Advance(TimeSpan.FromSeconds(119));
        Assert.True(tokens.Verify(text).IsValid);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ClientTokenFailure.Expired, tokens.Verify(text).Failure);
    }

    [Fact]
    public void A_refreshed_token_lives_120_seconds_from_the_refresh()
    {
        var tokens = Tokens();
        var first = tokens.Issue("meet", "p-1", "silo-a");
        _clock.Advance(TimeSpan.FromSeconds(60));
        var refreshed = tokens.Issue(first.Conference, first.ParticipantId, first.SignalingNode);
        _clock.Advance(TimeSpan.FromSeconds(100));

        Assert.Equal(ClientTokenFailure.Expired, tokens.Verify(tokens.Encode(first)).Failure);
        Assert.True(tokens.Verify(tokens.Encode(refreshed)).IsValid);
    }

    [Fact]
    public void A_token_another_cluster_signed_is_refused()
    {
        var ours = Tokens();
        var theirs = Tokens(Encoding.ASCII.GetBytes("another cluster's 32-byte secret!"));
        var text = theirs.Encode(theirs.Issue("meet", "p-1", "silo-a"));

        Assert.Equal(ClientTokenFailure.BadSignature, ours.Verify(text).Failure);
    }

    /// <summary>Changing any claim (another participant, conference or node, a later expiry) breaks the signature.</summary>
    [Fact]
    public void Every_altered_claim_breaks_the_signature()
    {
        var tokens = Tokens();
        var text = tokens.Encode(tokens.Issue("meet", "p-1", "silo-a"));
        var claims = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(text.AsSpan(0, text.IndexOf('.'))));
        var mac = text[(text.IndexOf('.') + 1)..];
        foreach (var (from, to) in new[] { ("p-1", "p-2"), ("meet", "mee2"), ("silo-a", "silo-b"), ("\"e\":", "\"e\":9") })
        {
            var forged = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.Replace(from, to))) + "." + mac;
            Assert.Equal(ClientTokenFailure.BadSignature, tokens.Verify(forged).Failure);
        }
    }

    [Theory]
    [InlineData(null, ClientTokenFailure.Missing)]
    [InlineData("", ClientTokenFailure.Missing)]
    [InlineData("no-dot", ClientTokenFailure.Malformed)]
    [InlineData(".", ClientTokenFailure.Malformed)]
    [InlineData("abc.", ClientTokenFailure.Malformed)]
    [InlineData("!!!.???", ClientTokenFailure.Malformed)]
    [InlineData("e30.AAAA", ClientTokenFailure.BadSignature)]
    public void Garbage_is_refused_and_says_why(string? text, ClientTokenFailure failure) =>
        Assert.Equal(failure, Tokens().Verify(text).Failure);

    /// <summary>Random bytes never crash the check and are never accepted (fixed seed, printed on failure).</summary>
    [Fact]
    public void Fuzzed_tokens_are_refused()
    {
        const int seed = 1313;
        var random = new Random(seed);
        var tokens = Tokens();
        var valid = tokens.Encode(tokens.Issue("meet", "p-1", "silo-a"));
        for (var i = 0; i < 2000; i++)
        {
            var chars = valid.ToCharArray();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
                chars[random.Next(chars.Length)] = "ABCxyz019-_.!="[random.Next(14)];
            var text = new string(chars);
            if (text == valid) continue;
            Assert.False(tokens.Verify(text).IsValid, $"seed {seed}, iteration {i}: '{text}' accepted");
        }
    }

    [Fact]
    public void A_key_shorter_than_256_bits_is_refused() =>
        Assert.Throws<ArgumentException>(() => ClientTokenKey.Of(new byte[16]));
}
