namespace ConferenceCluster.Conferencing.Services;

/// <summary>
/// Why the conference services end a call leg, in the words of the seed's disconnection-reason table
/// (L16080–16140), so the admin log and the participant history read as Pexip's do.
/// </summary>
/// <param name="Text">The reason as the admin log shows it.</param>
/// <param name="Code">The seed's message code, where it gives one.</param>
/// <param name="SeedLine">Where the reason is defined.</param>
public sealed record DisconnectReason(string Text, string? Code, string SeedLine)
{
    /// <summary>Three wrong PINs (R-PIN-4, L7007).</summary>
    public static readonly DisconnectReason PinEntryRetriesExceeded = new("Participant exceeded PIN entry retries", "#pex192", "L16118");

    /// <summary>The PIN entry timeout expired (R-PIN-6, L7068–7074).</summary>
    public static readonly DisconnectReason PinEntryTimedOut = new("PIN entry timed out", null, "L16136");

    /// <summary>The Waiting-for-Host timeout expired (R-HG-2, L7076–7085).</summary>
    public static readonly DisconnectReason WaitingForHostTimedOut =
        new("Timeout waiting for conference host to join or permit access to locked conference", "#pex126", "L16100");

    /// <summary>The Guests-only timeout expired after the last Host left (R-HG-5, L7399–7405).</summary>
    public static readonly DisconnectReason AllHostsDeparted = new("All conference hosts departed hosted conference", "#pex141", "L16106");

    /// <summary>The last-participant backstop expired (R-END-1 b, L7386–7397).</summary>
    public static readonly DisconnectReason LastParticipantTimedOut =
        new("Last remaining participant removed from conference after timeout", "#pex142", "L16107");

    /// <summary>A Host pressed the end-conference DTMF code, <c>##</c> by default (L8151).</summary>
    public static readonly DisconnectReason EndedByDtmf = new("Conference host ended the conference with a DTMF command", "#pex120", "L16094");

    /// <summary>A Host rejected a waiting participant (R-LOCK-4, L7854–7877).</summary>
    public static readonly DisconnectReason RejectedByHost = new("Disconnected by another participant", "#pex124", "L16098");

    public override string ToString() => Code is null ? Text : $"{Text} ({Code})";
}
