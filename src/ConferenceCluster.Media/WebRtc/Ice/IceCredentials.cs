using System.Security.Cryptography;

namespace ConferenceCluster.Media.WebRtc.Ice;

/// <summary>
/// An agent's ICE username fragment and password (RFC 8445 §5.3): ice-chars only, the ufrag at least 24 bits of
/// randomness and the password at least 128 bits (RFC 8839 §5.4 wants 4 and 22 characters at least).
/// </summary>
public sealed record IceCredentials(string UsernameFragment, string Password)
{
    private const string IceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// <summary>New random credentials: an 8-character ufrag (48 bits) and a 24-character password (144 bits).</summary>
    public static IceCredentials Generate() => new(RandomNumberGenerator.GetString(IceChars, 8), RandomNumberGenerator.GetString(IceChars, 24));

    /// <summary>Whether a value is made of ice-chars only, 4–256 long for a ufrag and 22–256 for a password (RFC 8839 §5.4).</summary>
    public static bool IsValid(string? value, bool password)
    {
        if (value is null || value.Length < (password ? 22 : 4) || value.Length > 256)
        {
            return false;
        }

        foreach (char c in value)
        {
            if (!IceChars.Contains(c))
            {
                return false;
            }
        }

        return true;
    }
}
