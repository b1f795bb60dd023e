namespace ConferenceCluster.Sip.Transactions;

/// <summary>
/// The timer values of RFC 3261 17 (table 4 in appendix A). Every other timer derives from T1, T2 and T4
/// the way the RFC says, so shortening T1 in a lab shortens them all consistently.
/// </summary>
public sealed class SipTimerOptions
{
    /// <summary>RTT estimate, 500 ms by default (17.1.1.1).</summary>
    public TimeSpan T1 { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest retransmit interval for non-INVITE requests and INVITE responses, 4 s.</summary>
    public TimeSpan T2 { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Longest time a message stays in the network, 5 s.</summary>
    public TimeSpan T4 { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Timers B, F, H, J, L and the 2xx retransmission limit of 13.3.1.4: 64*T1.</summary>
    public TimeSpan TransactionTimeout => 64 * T1;

    /// <summary>Timer D: at least 32 s over UDP, 0 over TCP (17.1.1.2).</summary>
    public TimeSpan TimerD(bool reliable) => reliable ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Max(32 * TimeSpan.TicksPerSecond, TransactionTimeout.Ticks));

    /// <summary>Timers I and K: T4 over UDP, 0 over TCP (17.2.1, 17.1.2.2).</summary>
    public TimeSpan TimerIK(bool reliable) => reliable ? TimeSpan.Zero : T4;

    /// <summary>Timer J: 64*T1 over UDP, 0 over TCP (17.2.2).</summary>
    public TimeSpan TimerJ(bool reliable) => reliable ? TimeSpan.Zero : TransactionTimeout;

    /// <summary>The next interval of a doubling schedule capped at T2 (Timers A/E/G and 13.3.1.4).</summary>
    public TimeSpan NextInterval(TimeSpan current) => current * 2 < T2 ? current * 2 : T2;
}
