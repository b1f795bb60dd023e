namespace ConferenceCluster.Conferencing.Layouts;

/// <summary>A participant's role as far as layouts care: a VA shows Guests only Hosts (L5500).</summary>
[GenerateSerializer, Alias("cc.LayoutRole")]
public enum LayoutRole
{
    Host,
    Guest,
}

/// <summary>
/// What the layout rules need to know about one participant. <paramref name="SendsVideo"/> and
/// <paramref name="ReceivesVideo"/> decide how they appear: a video sender in a tile, a participant that receives but
/// does not send as a camera-off tile (L7111), one that does neither (audio-only, control-only) as an audio-only
/// indicator, never in a tile (L7097, L7105).
/// </summary>
/// <param name="Id">Unique in the conference (the participant's id in the conference grain).</param>
[GenerateSerializer, Immutable, Alias("cc.LayoutParticipant")]
public sealed record LayoutParticipant(string Id, LayoutRole Role = LayoutRole.Host, bool SendsVideo = true, bool ReceivesVideo = true)
{
    /// <summary>Shown in a tile (sending video, or camera-off but in a video call).</summary>
    public bool HasTile => SendsVideo || ReceivesVideo;

    public bool IsAudioOnly => !HasTile;
}
