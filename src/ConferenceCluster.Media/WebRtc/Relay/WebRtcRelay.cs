using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.WebRtc.Demux;
using ConferenceCluster.Media.WebRtc.Stun;
using ConferenceCluster.Media.WebRtc.Transport;

namespace ConferenceCluster.Media.WebRtc.Relay;

/// <summary>
/// A proxying edge node's media for one browser call (R43, R59): ICE, DTLS and SRTP relayed between the browser and
/// the call's WebRTC leg on a transcoding node, terminating nothing. The browser talks to the <em>outer</em> port (the
/// candidate of the answer, <see cref="Legs.WebRtcLegOptions.Candidate"/>); the leg talks to the <em>inner</em> one.
/// </summary>
/// <remarks>
/// ICE is answered end to end by the leg's ICE-lite agent (docs/decisions.md, "WebRTC media"): the relay forwards the
/// browser's Binding requests, remembers which browser address sent each transaction, and sends the leg's answer back
/// there. A success answer is the leg's word (signed with a password the relay never sees) that this browser address
/// passed a check: from then on the relay forwards its DTLS and SRTP, and a nominated one (USE-CANDIDATE) is where the
/// leg's DTLS and SRTP go. Nothing from any other address is relayed inward, and only the leg's own address is heard
/// on the inner port. The relay holds no keys: SRTP stays end to end between the browser and the transcoding node.
/// </remarks>
public sealed class WebRtcRelay : IAsyncDisposable
{
    private const int MaxDatagramBytes = 2048;
    private const int MaxPendingChecks = 64;
    private const int MaxValidated = 8;

    private readonly Socket _outer;
    private readonly Socket _inner;
    private readonly int _outerPort, _innerPort;
    private readonly RtpPortAllocator _allocator;
    private readonly TimeProvider _clock;
    private readonly long _consentTicks;
    private readonly Lock _lock = new();
    private readonly Dictionary<UInt128, PendingCheck> _pending = [];
    private readonly Queue<UInt128> _pendingOrder = new();
    private readonly List<(SocketAddress Address, long LastSuccess)> _validated = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _loops;
    private volatile SocketAddress? _selected;
    private volatile SocketAddress? _leg;
    private long _fromBrowser, _toBrowser, _stunForwarded, _droppedUnvalidated, _droppedUnknown, _droppedNotFromLeg;

    private WebRtcRelay(Socket outer, int outerPort, Socket inner, int innerPort, RtpPortAllocator allocator, TimeProvider clock, TimeSpan consentTimeout)
    {
        (_outer, _outerPort, _inner, _innerPort, _allocator, _clock) = (outer, outerPort, inner, innerPort, allocator, clock);
        _consentTicks = (long)(consentTimeout.TotalSeconds * clock.TimestampFrequency);
        OuterEndPoint = (IPEndPoint)outer.LocalEndPoint!;
        InnerEndPoint = (IPEndPoint)inner.LocalEndPoint!;
        _loops = [Task.Run(() => RelayAsync(fromBrowser: true)), Task.Run(() => RelayAsync(fromBrowser: false))];
    }

    /// <summary>Where the browser sends: the candidate to put in the leg's answer (with the edge's advertised address).</summary>
    public IPEndPoint OuterEndPoint { get; }

    /// <summary>Where the leg on the transcoding node sends (its packets' destination).</summary>
    public IPEndPoint InnerEndPoint { get; }

    /// <summary>Binds the outer and inner ports from <paramref name="ports"/> and starts relaying.</summary>
    /// <exception cref="MediaPortsExhaustedException">The port range is exhausted.</exception>
    public static WebRtcRelay Start(IPAddress bindAddress, RtpPortAllocator ports, TimeProvider? clock = null, TimeSpan? consentTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(bindAddress);
        ArgumentNullException.ThrowIfNull(ports);
        Socket outer = MuxedPort.Bind(bindAddress, ports, out int outerPort, blocking: true);
        try
        {
            Socket inner = MuxedPort.Bind(bindAddress, ports, out int innerPort, blocking: true);
            return new WebRtcRelay(outer, outerPort, inner, innerPort, ports, clock ?? TimeProvider.System, consentTimeout ?? TimeSpan.FromSeconds(30));
        }
        catch
        {
            outer.Dispose();
            ports.Release(outerPort);
            throw;
        }
    }

    /// <summary>The WebRTC leg on the transcoding node (<see cref="Legs.WebRtcLeg.LocalEndPoint"/>, on that node's media address).</summary>
    public void SetMediaLeg(IPEndPoint leg)
    {
        ArgumentNullException.ThrowIfNull(leg);
        _leg = leg.Serialize();
    }

    public WebRtcRelayStatistics GetStatistics() => new(
        Interlocked.Read(ref _fromBrowser), Interlocked.Read(ref _toBrowser), Interlocked.Read(ref _stunForwarded),
        Interlocked.Read(ref _droppedUnvalidated), Interlocked.Read(ref _droppedUnknown), Interlocked.Read(ref _droppedNotFromLeg),
        _selected is { } selected ? new IPEndPoint(IPAddress.Any, 0).Create(selected).ToString() : null);

    private async Task RelayAsync(bool fromBrowser)
    {
        Socket socket = fromBrowser ? _outer : _inner;
        Socket forwardVia = fromBrowser ? _inner : _outer;
        var buffer = new byte[MaxDatagramBytes];
        var source = new SocketAddress(socket.AddressFamily);
        CancellationToken token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await socket.ReceiveFromAsync(buffer, SocketFlags.None, source, token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // an oversized datagram or an ICMP error reported back: UDP simply loses it
            }

            SocketAddress? destination = fromBrowser ? FromBrowser(buffer.AsSpan(0, length), source) : FromLeg(buffer.AsSpan(0, length), source);
            if (destination is null)
            {
                continue;
            }

            try
            {
                await forwardVia.SendToAsync(buffer.AsMemory(0, length), SocketFlags.None, destination, token).ConfigureAwait(false);
                Interlocked.Increment(ref fromBrowser ? ref _fromBrowser : ref _toBrowser);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // the other side is gone for now; UDP loses the packet
            }
        }
    }

    /// <summary>Where a datagram from the browser side goes (the leg), or null to drop it.</summary>
    private SocketAddress? FromBrowser(ReadOnlySpan<byte> datagram, SocketAddress source)
    {
        SocketAddress? leg = _leg;
        switch (PacketClassifier.Classify(datagram))
        {
            case PacketKind.Stun:
                // Only requests go in (the leg answers them); remember who asked so the answer finds its way back.
                if (leg is null || !StunMessage.TryParse(datagram, out StunMessage request) || StunMessageType.ClassOf(request.Type) != 0)
                {
                    Interlocked.Increment(ref _droppedUnknown);
                    return null;
                }

                RememberCheck(request.TransactionId, source, request.UseCandidate);
                Interlocked.Increment(ref _stunForwarded);
                return leg;
            case PacketKind.Dtls:
            case PacketKind.Rtp:
            case PacketKind.Rtcp:
                if (leg is null || !IsValidated(source))
                {
                    Interlocked.Increment(ref _droppedUnvalidated);
                    return null;
                }

                return leg;
            default:
                Interlocked.Increment(ref _droppedUnknown);
                return null;
        }
    }

    /// <summary>Where a datagram from the leg goes (a browser address), or null to drop it.</summary>
    private SocketAddress? FromLeg(ReadOnlySpan<byte> datagram, SocketAddress source)
    {
        if (_leg is not { } leg || !source.Equals(leg))
        {
            Interlocked.Increment(ref _droppedNotFromLeg);
            return null;
        }

        if (PacketClassifier.Classify(datagram) == PacketKind.Stun)
        {
            // The leg's answer to a check: back to whoever asked; a success validates that address.
            if (!StunMessage.TryParse(datagram, out StunMessage response) || TakeCheck(response.TransactionId) is not { } check)
            {
                Interlocked.Increment(ref _droppedUnknown);
                return null;
            }

            if (response.Type == StunMessageType.BindingSuccessResponse)
            {
                Validate(check.Browser, check.UseCandidate);
            }

            return check.Browser;
        }

        return _selected;
    }

    private void RememberCheck(ReadOnlySpan<byte> transactionId, SocketAddress source, bool useCandidate)
    {
        UInt128 key = Key(transactionId);
        lock (_lock)
        {
            if (_pending.Count >= MaxPendingChecks && _pendingOrder.TryDequeue(out UInt128 oldest))
            {
                _pending.Remove(oldest); // unanswered checks are forgotten oldest first: the table stays bounded
            }

            if (_pending.TryAdd(key, new PendingCheck(SocketAddresses.Copy(source), useCandidate)))
            {
                _pendingOrder.Enqueue(key);
            }
        }
    }

    private PendingCheck? TakeCheck(ReadOnlySpan<byte> transactionId)
    {
        lock (_lock)
        {
            return _pending.Remove(Key(transactionId), out PendingCheck check) ? check : null;
        }
    }

    private void Validate(SocketAddress browser, bool nominated)
    {
        long now = _clock.GetTimestamp();
        lock (_lock)
        {
            int index = _validated.FindIndex(v => v.Address.Equals(browser));
            if (index >= 0)
            {
                _validated[index] = (_validated[index].Address, now);
                browser = _validated[index].Address;
            }
            else
            {
                if (_validated.Count >= MaxValidated)
                {
                    _validated.RemoveAt(_validated.FindIndex(v => !v.Address.Equals(_selected)));
                }

                _validated.Add((browser, now));
            }

            if (_selected is null || nominated)
            {
                _selected = browser;
            }
        }
    }

    private bool IsValidated(SocketAddress source)
    {
        long now = _clock.GetTimestamp();
        lock (_lock)
        {
            foreach ((SocketAddress address, long lastSuccess) in _validated)
            {
                if (address.Equals(source))
                {
                    return now - lastSuccess <= _consentTicks;
                }
            }
        }

        return false;
    }

    private static UInt128 Key(ReadOnlySpan<byte> transactionId)
    {
        Span<byte> padded = stackalloc byte[16];
        padded.Clear();
        transactionId.CopyTo(padded);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(padded);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _outer.Dispose();
        _inner.Dispose();
        await Task.WhenAll(_loops).ConfigureAwait(false);
        _allocator.Release(_outerPort);
        _allocator.Release(_innerPort);
        _stop.Dispose();
    }

    private readonly record struct PendingCheck(SocketAddress Browser, bool UseCandidate);
}

/// <summary>What a <see cref="WebRtcRelay"/> relayed and dropped (counters only grow).</summary>
public sealed record WebRtcRelayStatistics(
    long FromBrowser,
    long ToBrowser,
    long ChecksForwarded,
    long DroppedFromUnvalidatedAddress,
    long DroppedUnknown,
    long DroppedNotFromLeg,
    string? SelectedBrowser);
