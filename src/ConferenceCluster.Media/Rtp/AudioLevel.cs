namespace ConferenceCluster.Media.Rtp;

/// <summary>
/// RFC 6464 client-to-mixer audio level: the sender's own measure of a packet's loudness, −127 to 0 dBov, and its voice
/// activity flag. One byte on the wire: V (1 bit) then the level as a positive number of dB below overload (7 bits).
/// A sender's claim, not a measurement: the mixer checks it against decoded energy (see <see cref="Mixing.ConferenceMixer"/>).
/// </summary>
public readonly record struct AudioLevel
{
    /// <summary>The extension's URI in SDP (a=extmap:&lt;id&gt; urn:ietf:params:rtp-hdrext:ssrc-audio-level).</summary>
    public const string ExtensionUri = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

    public AudioLevel(int minusDbov, bool voiceActivity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minusDbov);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minusDbov, 127);
        MinusDbov = (byte)minusDbov;
        VoiceActivity = voiceActivity;
    }

    /// <summary>0 (loudest) to 127 (digital silence): the level is −<see cref="MinusDbov"/> dBov.</summary>
    public byte MinusDbov { get; }

    public bool VoiceActivity { get; }

    public double Dbov => -MinusDbov;

    /// <summary>Mean square relative to full scale (the mixer's level unit): 10^(−level/10).</summary>
    public double Power => Math.Pow(10, -MinusDbov / 10.0);

    /// <summary>The wire byte.</summary>
    public byte ToByte() => (byte)((VoiceActivity ? 0x80 : 0) | MinusDbov);

    /// <summary>Reads the element's data; false when it is empty (a malformed element).</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out AudioLevel level)
    {
        if (data.IsEmpty)
        {
            level = default;
            return false;
        }

        level = FromByte(data[0]);
        return true;
    }

    public static AudioLevel FromByte(byte value) => new(value & 0x7F, (value & 0x80) != 0);

    /// <summary>The level of a decoded frame's mean square (relative to full scale), rounded and clamped to 0–127.</summary>
    public static AudioLevel FromPower(double power, bool voiceActivity) =>
        new(power <= 1e-13 ? 127 : (int)Math.Clamp(Math.Round(-10 * Math.Log10(power)), 0, 127), voiceActivity);

    public override string ToString() => $"{Dbov} dBov{(VoiceActivity ? " (voice)" : "")}";
}
