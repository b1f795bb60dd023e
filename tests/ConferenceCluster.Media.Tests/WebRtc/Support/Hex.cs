namespace ConferenceCluster.Media.Tests.WebRtc.Support;

internal static class Hex
{
    /// <summary>Hex digits to bytes; spaces and line breaks are ignored.</summary>
    public static byte[] Bytes(string hex) => Convert.FromHexString(string.Concat(hex.Where(Uri.IsHexDigit)));
}
