using System.Net;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Mixing;

/// <summary>
/// The codec and payload type each kind of backplane uses (see docs/decisions.md, "Backplane codec"), so both
/// ends of a link and the wiring code agree without negotiating: both ends of a backplane have the same role,
/// hence the same codec.
/// </summary>
public static class BackplaneCodecs
{
    /// <summary>Dynamic payload type of L16 on a backplane (RFC 3551 §6: 96–127 are dynamic).</summary>
    public const byte L16PayloadType = 118;

    /// <summary>Dynamic payload type of Opus on a backplane (the conventional 111, as on WebRTC legs).</summary>
    public const byte OpusPayloadType = 111;

    /// <summary>The codec of a backplane of this role.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="MixRole.Endpoint"/> is not a backplane.</exception>
    public static AudioCodec CodecFor(MixRole role) => role switch
    {
        MixRole.LocalBackplane => AudioCodec.L16,
        MixRole.GeoBackplane => AudioCodec.Opus,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Only backplanes have a fixed codec; an endpoint's is negotiated."),
    };

    /// <summary>The RTP payload type of a backplane of this role.</summary>
    public static byte PayloadTypeFor(MixRole role) => CodecFor(role) == AudioCodec.L16 ? L16PayloadType : OpusPayloadType;

    /// <summary>The encoder settings of a backplane of this role.</summary>
    public static EncoderProfile ProfileFor(MixRole role) => CodecFor(role) == AudioCodec.L16 ? EncoderProfile.L16 : EncoderProfile.OpusBackplane;

    /// <summary>
    /// Options to add a backplane leg with <see cref="ConferenceMedia.AddParticipantAsync"/>. The remote may be
    /// unknown yet (the other node has not opened its end): set it later with <see cref="MediaParticipant.SetRemoteAsync"/>.
    /// </summary>
    public static MediaEndpointOptions For(MixRole role, IPEndPoint? remoteRtp = null, IPEndPoint? remoteRtcp = null) => new()
    {
        Role = role,
        Codec = CodecFor(role),
        PayloadType = PayloadTypeFor(role),
        EncoderProfile = ProfileFor(role),
        RemoteRtp = remoteRtp,
        RemoteRtcp = remoteRtcp,
    };
}
