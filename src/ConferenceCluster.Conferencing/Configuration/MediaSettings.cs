using Orleans;
using Orleans.Concurrency;
namespace ConferenceCluster.Conferencing.Configuration;

/// <summary>Conference capabilities of a VMR (L5545, L7453). Default: main video + presentation.</summary>
[GenerateSerializer, Alias("cc.ConferenceCapabilities")]
public enum ConferenceCapabilities
{
    AudioOnly,
    MainVideoOnly,
    MainVideoAndPresentation,
}

/// <summary>Media encryption (global L3197, per service L5549).</summary>
public enum MediaEncryption
{
    BestEffort,
    Required,
    NoEncryption,
}
