namespace ConferenceCluster.Sip.Messages;

/// <summary>Bounds that keep a hostile or broken peer from costing us memory or time.</summary>
public sealed class SipParserOptions
{
    public static SipParserOptions Default { get; } = new();

    /// <summary>Largest message (start line, headers and body) accepted. UDP cannot carry more than 65,507 bytes anyway.</summary>
    public int MaxMessageSize { get; init; } = 65_535;

    /// <summary>Most header field values (after splitting comma lists) accepted in one message.</summary>
    public int MaxHeaderCount { get; init; } = 256;

    /// <summary>Longest physical line (start line or header line, before unfolding) accepted.</summary>
    public int MaxLineLength { get; init; } = 8_192;
}
