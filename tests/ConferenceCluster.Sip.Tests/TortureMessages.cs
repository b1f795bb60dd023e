using System.Text;
using System.Text.RegularExpressions;

namespace ConferenceCluster.Sip.Tests;

/// <summary>
/// Loads the RFC 4475 messages re-typed in Torture/*.sip. The files use LF; lines are turned into
/// CRLF, then the RFC 4475 section 2 notations are expanded: &lt;repeat count=N&gt;..&lt;/repeat&gt;
/// (2.3) and &lt;hex&gt;..&lt;/hex&gt; (2.2) for octets that cannot be typed.
/// </summary>
internal static partial class TortureMessages
{
    public static byte[] Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Torture", name + ".sip");
        var text = File.ReadAllText(path, Encoding.UTF8).Replace("\n", "\r\n");
        text = RepeatPattern().Replace(text, m => string.Concat(Enumerable.Repeat(m.Groups[2].Value, int.Parse(m.Groups[1].Value))));

        var bytes = new List<byte>(text.Length);
        var pos = 0;
        foreach (Match m in HexPattern().Matches(text))
        {
            bytes.AddRange(Encoding.UTF8.GetBytes(text[pos..m.Index]));
            bytes.AddRange(Convert.FromHexString(Regex.Replace(m.Groups[1].Value, @"\s", "")));
            pos = m.Index + m.Length;
        }
        bytes.AddRange(Encoding.UTF8.GetBytes(text[pos..]));
        return bytes.ToArray();
    }

    public static IEnumerable<string> AllNames() =>
        Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Torture"), "*.sip")
            .Select(Path.GetFileNameWithoutExtension)
            .Select(n => n!)
            .OrderBy(n => n, StringComparer.Ordinal);

    [GeneratedRegex(@"<repeat count=(\d+)>(.*?)</repeat>", RegexOptions.Singleline)]
    private static partial Regex RepeatPattern();

    [GeneratedRegex(@"<hex>(.*?)</hex>", RegexOptions.Singleline)]
    private static partial Regex HexPattern();
}
