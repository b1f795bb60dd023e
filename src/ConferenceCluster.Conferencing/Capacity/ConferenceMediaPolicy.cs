using Orleans;
using Orleans.Concurrency;
using ConferenceCluster.Conferencing.Configuration;

namespace ConferenceCluster.Conferencing.Capacity;

/// <summary>
/// The settings of one conference instance that decide what its calls and backplanes cost. Resolved once when the
/// conference starts, because a change of Maximum call quality applies only to conferences started afterwards (L7659).
/// </summary>
[GenerateSerializer, Immutable, Alias("cc.ConferenceMediaPolicy")]
public sealed record ConferenceMediaPolicy(MaximumCallQuality MaximumCallQuality, ConferenceCapabilities Capabilities)
{
    public static readonly ConferenceMediaPolicy HdWithPresentation = new(MaximumCallQuality.Hd, ConferenceCapabilities.MainVideoAndPresentation);

    public static ConferenceMediaPolicy For(VirtualMeetingRoom room, GlobalSettings global) =>
        new(room.EffectiveMaximumCallQuality(global), room.ConferenceCapabilities);

    public bool IsAudioOnly => Capabilities == ConferenceCapabilities.AudioOnly;
}
