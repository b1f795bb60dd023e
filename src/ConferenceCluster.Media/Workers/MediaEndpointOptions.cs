using System.Net;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Rtp;

namespace ConferenceCluster.Media.Workers;

/// <summary>What the call controller negotiated for one participant's audio (from the SDP offer/answer).</summary>
public sealed class MediaEndpointOptions
{
    public required AudioCodec Codec { get; init; }

    /// <summary>The audio payload type (e.g. 111 for Opus, 0 for PCMU, 8 for PCMA).</summary>
    public required byte PayloadType { get; init; }

    /// <summary>The telephone-event payload type (RFC 4733), if negotiated.</summary>
    public byte? TelephoneEventPayloadType { get; init; }

    /// <summary>The telephone-event clock rate from its rtpmap (8000, or 48000 next to Opus).</summary>
    public int TelephoneEventClockRate { get; init; } = 8000;

    /// <summary>
    /// What this leg is: a call (<see cref="MixRole.Endpoint"/>, the default) or a backplane to another node. A
    /// backplane is always mixed, never latches to a packet's source (its remote is set explicitly, here or later
    /// with <see cref="MediaParticipant.SetRemoteAsync"/>; nothing is sent until then) and ignores
    /// <see cref="SymmetricRtp"/>. <see cref="BackplaneCodecs.For"/> builds a backplane's options.
    /// </summary>
    public MixRole Role { get; init; } = MixRole.Endpoint;

    /// <summary>The remote RTP address from the SDP (c= and m= lines); null to learn it from the first packet.</summary>
    public IPEndPoint? RemoteRtp { get; init; }

    /// <summary>The remote RTCP address (a=rtcp, RFC 3605); null for the RTP port + 1.</summary>
    public IPEndPoint? RemoteRtcp { get; init; }

    /// <summary>How the participant's outgoing audio is encoded; null for the codec's default (Opus voice, complexity 4).</summary>
    public EncoderProfile? EncoderProfile { get; init; }

    /// <summary>
    /// The RFC 8285 id of the RFC 6464 audio level header extension ("a=extmap:&lt;id&gt; urn:ietf:params:rtp-hdrext:ssrc-audio-level"
    /// in the offer, <see cref="Rtp.AudioLevel.ExtensionUri"/>), 1–255; null when not negotiated. With it, the mixer
    /// decodes this participant only when it is among the loudest (its level says so); without, every frame is decoded.
    /// </summary>
    public byte? AudioLevelExtensionId { get; init; }

    /// <summary>Overrides <see cref="MediaOptions.SymmetricRtp"/> for this participant.</summary>
    public bool? SymmetricRtp { get; init; }

    /// <summary>
    /// Called once per DTMF key press, on the thread pool (never on the media worker, so a slow handler cannot
    /// delay a tick).
    /// </summary>
    public Action<MediaParticipant, DtmfDigit>? DtmfReceived { get; init; }

    internal EncoderProfile ResolveProfile() => EncoderProfile ?? Codec switch
    {
        AudioCodec.Opus => Codecs.EncoderProfile.OpusVoice,
        AudioCodec.Pcmu => Codecs.EncoderProfile.Pcmu,
        AudioCodec.Pcma => Codecs.EncoderProfile.Pcma,
        AudioCodec.L16 => Codecs.EncoderProfile.L16,
        _ => throw new ArgumentOutOfRangeException(nameof(Codec), Codec, "Unknown codec."),
    };

    /// <summary>Symmetric RTP (latching to the first source) only for calls: a backplane's remote is always explicit.</summary>
    internal bool ResolveSymmetricRtp(MediaOptions options) => Role == MixRole.Endpoint && (SymmetricRtp ?? options.SymmetricRtp);

    internal void Validate()
    {
        if (!Enum.IsDefined(Role))
        {
            throw new ArgumentOutOfRangeException(nameof(Role), Role, "Unknown mix role.");
        }

        if (!Enum.IsDefined(Codec))
        {
            throw new ArgumentOutOfRangeException(nameof(Codec), Codec, "Unknown codec.");
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(PayloadType, (byte)127);
        if (TelephoneEventPayloadType is byte te && (te > 127 || te == PayloadType))
        {
            throw new ArgumentOutOfRangeException(nameof(TelephoneEventPayloadType), te, "The telephone-event payload type is 0–127 and differs from the audio one.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TelephoneEventClockRate);
        if (AudioLevelExtensionId is 0)
        {
            throw new ArgumentOutOfRangeException(nameof(AudioLevelExtensionId), AudioLevelExtensionId, "Header extension ids are 1–255 (0 is padding).");
        }
        if (ResolveProfile().Codec != Codec)
        {
            throw new ArgumentException($"The encoder profile {EncoderProfile} is not for {Codec}.", nameof(EncoderProfile));
        }
    }
}
