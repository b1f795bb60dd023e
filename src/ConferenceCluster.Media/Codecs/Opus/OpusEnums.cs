namespace ConferenceCluster.Media.Codecs.Opus;

/// <summary>libopus error codes (opus_defines.h). Negative return values of the C API.</summary>
public enum OpusError
{
    Ok = 0,
    BadArgument = -1,
    BufferTooSmall = -2,
    InternalError = -3,
    InvalidPacket = -4,
    Unimplemented = -5,
    InvalidState = -6,
    AllocationFailure = -7,
}

/// <summary>The encoder's intended use (<c>OPUS_APPLICATION_*</c>); fixed at creation.</summary>
public enum OpusApplication
{
    /// <summary>Speech: favours intelligibility; what Janus AudioBridge and WebRTC use for calls.</summary>
    Voip = 2048,
    /// <summary>Music or mixed content: favours fidelity.</summary>
    Audio = 2049,
    /// <summary>Lowest delay: CELT only, no SILK.</summary>
    RestrictedLowDelay = 2051,
}

/// <summary>Hint about the signal (<c>OPUS_SET_SIGNAL</c>); biases the SILK/CELT mode decision.</summary>
public enum OpusSignal
{
    Auto = -1000,
    Voice = 3001,
    Music = 3002,
}

/// <summary>Audio bandpass (<c>OPUS_BANDWIDTH_*</c>), used as the encoder's upper bound.</summary>
public enum OpusBandwidth
{
    Auto = -1000,
    /// <summary>4 kHz bandpass.</summary>
    Narrowband = 1101,
    /// <summary>6 kHz bandpass.</summary>
    Mediumband = 1102,
    /// <summary>8 kHz bandpass.</summary>
    Wideband = 1103,
    /// <summary>12 kHz bandpass.</summary>
    SuperWideband = 1104,
    /// <summary>20 kHz bandpass.</summary>
    Fullband = 1105,
}
