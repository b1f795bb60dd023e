using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ConferenceCluster.Runtime.Membership;

namespace ConferenceCluster.Runtime.Sql;

/// <summary>
/// How a <see cref="MembershipEntry"/> is spread over the columns of the Orleans-shaped membership table,
/// shared by every SQL store so that a row reads the same whichever database holds it.
/// </summary>
internal static class MembershipColumns
{
    // Orleans' table providers print suspicion times with LogFormatter.PrintDate; keeping its format keeps
    // the column readable next to an Orleans table and pins the precision to milliseconds, like the times.
    private const string SuspectTimeFormat = "yyyy-MM-dd HH:mm:ss.fff 'GMT'";

    /// <summary>
    /// Orleans stores times as timestamptz(3): truncating here (rather than letting each database round) makes
    /// SQLite and PostgreSQL agree on the stored value, so a row read back equals the row written.
    /// </summary>
    public static DateTimeOffset ToStoredTime(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
    }

    /// <summary>The <c>SuspectTimes</c> column: <c>silo,time|silo,time</c>, or null when nobody suspects the silo.</summary>
    public static string? FormatSuspectTimes(IReadOnlyList<SuspectVote> votes)
    {
        if (votes.Count == 0)
            return null;
        var text = new StringBuilder();
        foreach (var vote in votes)
        {
            if (text.Length > 0)
                text.Append('|');
            text.Append(vote.Voter.ToString()).Append(',')
                .Append(ToStoredTime(vote.Time).UtcDateTime.ToString(SuspectTimeFormat, CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    public static IReadOnlyList<SuspectVote> ParseSuspectTimes(string? column)
    {
        if (string.IsNullOrEmpty(column))
            return [];
        var votes = new List<SuspectVote>();
        foreach (var pair in column.Split('|', StringSplitOptions.RemoveEmptyEntries))
        {
            // A silo address never holds a comma (host:port@generation), so the last comma splits the pair.
            var comma = pair.LastIndexOf(',');
            if (comma < 0)
                throw new FormatException($"'{pair}' is not a suspicion vote (silo,time)");
            var time = DateTime.ParseExact(pair[(comma + 1)..], SuspectTimeFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            votes.Add(new SuspectVote(SiloAddress.Parse(pair[..comma]), new DateTimeOffset(time, TimeSpan.Zero)));
        }
        return votes;
    }

    /// <summary>The <c>MetadataJson</c> column (Orleans' silo metadata migration): null when there is none.</summary>
    public static string? FormatMetadata(IReadOnlyDictionary<string, string> metadata) =>
        metadata.Count == 0
            ? null
            : JsonSerializer.Serialize(new Dictionary<string, string>(metadata), MembershipJsonContext.Default.DictionaryStringString);

    public static IReadOnlyDictionary<string, string> ParseMetadata(string? column) =>
        string.IsNullOrEmpty(column)
            ? new Dictionary<string, string>()
            : JsonSerializer.Deserialize(column, MembershipJsonContext.Default.DictionaryStringString) ?? new Dictionary<string, string>();

    /// <summary>Row etags are a per-row counter (0 on insert, +1 per update); anything else can never match.</summary>
    public static bool TryParseETag(string etag, out int value) =>
        int.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    public static string FormatETag(long value) => value.ToString(CultureInfo.InvariantCulture);
}

[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class MembershipJsonContext : JsonSerializerContext;
