namespace ConferenceCluster.Conferencing.Configuration;

/// <summary>
/// Maximum call quality (global setting L3171, per-service override L5546). It is also the ceiling up to which
/// transcoding resources are reserved for a call (R58, L1183) and the level of the backplane reservation (R54, L1197).
/// Declared in increasing resource order so that <c>Min</c> picks the cheaper one.
/// </summary>
[GenerateSerializer, Alias("cc.MaximumCallQuality")]
public enum MaximumCallQuality
{
    /// <summary>SD: half the resource of an HD call (L1178).</summary>
    Sd,
    /// <summary>HD 720p: the reference call (L1175). The global default (L3171).</summary>
    Hd,
    /// <summary>Full HD 1080p: twice the resource of an HD call (L1177).</summary>
    FullHd,
}

