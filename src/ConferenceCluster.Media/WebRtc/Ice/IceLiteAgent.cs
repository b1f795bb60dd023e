using System.Net;
using System.Net.Sockets;
using System.Text;
using ConferenceCluster.Media.WebRtc.Stun;

namespace ConferenceCluster.Media.WebRtc.Ice;

/// <summary>
/// The server side of ICE for one WebRTC leg, as an ICE-lite agent (RFC 8445 §2.5; mediasoup's IceServer is the
/// model): it never sends checks, it answers the browser's Binding requests, and it learns from them where the
/// browser is. A source address becomes <em>validated</em> by a request that carries our ufrag, the browser's ufrag,
/// a MESSAGE-INTEGRITY made with our password, PRIORITY and a good FINGERPRINT; media and DTLS are accepted only
/// from validated addresses. The first valid request selects its source; a request with USE-CANDIDATE (the
/// browser nominating) selects its source for good, until another nomination. The browser keeps checking every
/// few seconds for consent (RFC 7675); if the selected address sends no valid check for
/// <see cref="ConsentTimeout"/>, the agent is <see cref="IceLiteState.Disconnected"/> and nothing is sent.
/// </summary>
/// <remarks>Plain class, no sockets: the transport hands it datagrams and sends what it writes. One thread (the leg's worker) uses it.</remarks>
public sealed class IceLiteAgent : IDisposable
{
    /// <summary>Addresses remembered as validated (a browser checks from each of its candidates; a few suffice).</summary>
    private const int MaxValidated = 8;

    private readonly TimeProvider _clock;
    private readonly StunIntegrity _integrity;
    private readonly byte[] _expectedUsername;
    private readonly long _consentTimeoutTicks;
    private readonly ValidatedAddress[] _validated = new ValidatedAddress[MaxValidated];
    private int _validatedCount;
    private volatile SocketAddress? _selected;
    private long _selectedLastCheck;
    private bool _nominated;
    private long _checksAnswered, _badRequests, _unauthorized, _dropped;

    /// <param name="local">Our ufrag and password, as put in the SDP answer.</param>
    /// <param name="remoteUsernameFragment">The browser's ufrag from its offer.</param>
    public IceLiteAgent(IceCredentials local, string remoteUsernameFragment, TimeProvider clock, TimeSpan? consentTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentException.ThrowIfNullOrEmpty(remoteUsernameFragment);
        ArgumentNullException.ThrowIfNull(clock);
        Local = local;
        RemoteUsernameFragment = remoteUsernameFragment;
        _clock = clock;
        ConsentTimeout = consentTimeout ?? TimeSpan.FromSeconds(30);
        _consentTimeoutTicks = (long)(ConsentTimeout.TotalSeconds * clock.TimestampFrequency);
        _integrity = StunIntegrity.ForPassword(local.Password);
        // RFC 8445 §7.2.2: USERNAME of a check is "<receiver's ufrag>:<sender's ufrag>".
        _expectedUsername = Encoding.UTF8.GetBytes(local.UsernameFragment + ":" + remoteUsernameFragment);
    }

    public IceCredentials Local { get; }

    public string RemoteUsernameFragment { get; }

    /// <summary>RFC 7675 §5.1: consent expires 30 s after the last answered check.</summary>
    public TimeSpan ConsentTimeout { get; }

    /// <summary>Where media goes: the nominated address, else the first validated one; null before any valid check.</summary>
    public SocketAddress? SelectedAddress => _selected;

    public IceLiteState State
    {
        get
        {
            if (_selected is null)
            {
                return IceLiteState.New;
            }

            if (_clock.GetTimestamp() - Volatile.Read(ref _selectedLastCheck) > _consentTimeoutTicks)
            {
                return IceLiteState.Disconnected;
            }

            return _nominated ? IceLiteState.Completed : IceLiteState.Connected;
        }
    }

    /// <summary>True while we may send to the selected address: it passed a check within the consent timeout.</summary>
    public bool HasConsent => State is IceLiteState.Connected or IceLiteState.Completed;

    public IceLiteStatistics GetStatistics() => new()
    {
        State = State,
        ChecksAnswered = Interlocked.Read(ref _checksAnswered),
        BadRequests = Interlocked.Read(ref _badRequests),
        Unauthorized = Interlocked.Read(ref _unauthorized),
        Dropped = Interlocked.Read(ref _dropped),
        SelectedRemote = _selected is { } selected ? new IPEndPoint(IPAddress.Any, 0).Create(selected).ToString() : null,
    };

    /// <summary>True if <paramref name="source"/> passed a valid check within the consent timeout: its DTLS and SRTP are accepted.</summary>
    public bool IsValidated(SocketAddress source)
    {
        long now = _clock.GetTimestamp();
        for (int i = 0; i < _validatedCount; i++)
        {
            ref ValidatedAddress entry = ref _validated[i];
            if (entry.Address.Equals(source))
            {
                return now - entry.LastCheck <= _consentTimeoutTicks;
            }
        }

        return false;
    }

    /// <summary>
    /// Handles one STUN datagram from <paramref name="source"/>, writing the answer (if any) into <paramref name="response"/>.
    /// </summary>
    /// <param name="response">At least 128 bytes; receives the success or error response.</param>
    /// <param name="responseLength">Bytes of <paramref name="response"/> to send back to <paramref name="source"/>; 0 when nothing is sent.</param>
    public StunOutcome ProcessStun(ReadOnlySpan<byte> datagram, SocketAddress source, Span<byte> response, out int responseLength)
    {
        responseLength = 0;
        // RFC 8445 §7.3 and RFC 5389 §7.3: FINGERPRINT is required on ICE checks; a bad one means "not STUN".
        if (!StunMessage.TryParse(datagram, out StunMessage request) || !StunIntegrity.VerifyFingerprint(request))
        {
            return Drop();
        }

        if (request.Type != StunMessageType.BindingRequest)
        {
            // Responses (we send no requests) and indications (keepalives) need no answer; other methods get 400.
            if (StunMessageType.ClassOf(request.Type) != 0)
            {
                return Drop();
            }

            return Reject(request, 400, "Bad Request", response, out responseLength, ref _badRequests);
        }

        if (request.UnknownRequiredAttribute != 0)
        {
            return Reject(request, 420, "Unknown Attribute", response, out responseLength, ref _badRequests, request.UnknownRequiredAttribute);
        }

        // RFC 5389 §10.1.2: a request without USERNAME or MESSAGE-INTEGRITY gets 400; RFC 8445 §7.3 wants PRIORITY too.
        if (!request.HasUsername || request.MessageIntegrityOffset < 0 || !request.HasPriority)
        {
            return Reject(request, 400, "Bad Request", response, out responseLength, ref _badRequests);
        }

        // A wrong username or integrity gets 401 without MESSAGE-INTEGRITY (RFC 5389 §10.1.2).
        if (!request.Username.SequenceEqual(_expectedUsername) || !_integrity.Verify(request))
        {
            return Reject(request, 401, "Unauthorized", response, out responseLength, ref _unauthorized);
        }

        // RFC 8445 §7.3.1.1: a lite agent is always controlled and never answers 487; like mediasoup we also let a
        // request without ICE-CONTROLLING through (libwebrtc has sent those; a 487 only breaks the call).
        OnValidCheck(source, request.UseCandidate);
        var writer = new StunMessageWriter(response, StunMessageType.BindingSuccessResponse, request.TransactionId);
        writer.AddXorMappedAddress(source);
        writer.AddMessageIntegrity(_integrity);
        writer.AddFingerprint();
        responseLength = writer.Length;
        Interlocked.Increment(ref _checksAnswered);
        return StunOutcome.Answered;
    }

    public void Dispose() => _integrity.Dispose();

    private void OnValidCheck(SocketAddress source, bool useCandidate)
    {
        long now = _clock.GetTimestamp();
        SocketAddress known = Remember(source, now);
        SocketAddress? selected = _selected;
        if (selected is null || (useCandidate && !selected.Equals(known)))
        {
            _selected = known;
            selected = known;
        }

        _nominated |= useCandidate;
        if (selected.Equals(known))
        {
            Volatile.Write(ref _selectedLastCheck, now);
        }
    }

    /// <summary>Marks <paramref name="source"/> validated now and returns our own copy of it.</summary>
    private SocketAddress Remember(SocketAddress source, long now)
    {
        for (int i = 0; i < _validatedCount; i++)
        {
            if (_validated[i].Address.Equals(source))
            {
                _validated[i].LastCheck = now;
                return _validated[i].Address;
            }
        }

        int slot = _validatedCount < MaxValidated ? _validatedCount++ : OldestReplaceable();
        SocketAddress copy = Transport.SocketAddresses.Copy(source);
        _validated[slot] = new ValidatedAddress { Address = copy, LastCheck = now };
        return copy;
    }

    private int OldestReplaceable()
    {
        int oldest = -1;
        for (int i = 0; i < _validatedCount; i++)
        {
            if (!_validated[i].Address.Equals(_selected) && (oldest < 0 || _validated[i].LastCheck < _validated[oldest].LastCheck))
            {
                oldest = i;
            }
        }

        return oldest;
    }

    private StunOutcome Drop()
    {
        Interlocked.Increment(ref _dropped);
        return StunOutcome.Dropped;
    }

    private static StunOutcome Reject(in StunMessage request, int code, string reason, Span<byte> response, out int responseLength, ref long counter, ushort unknownAttribute = 0)
    {
        ushort type = (ushort)(request.Type | 0x0110); // same method, error-response class
        var writer = new StunMessageWriter(response, type, request.TransactionId);
        writer.AddErrorCode(code, reason);
        if (unknownAttribute != 0)
        {
            Span<byte> value = stackalloc byte[2];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(value, unknownAttribute);
            writer.AddAttribute(StunAttributeType.UnknownAttributes, value);
        }

        writer.AddFingerprint();
        responseLength = writer.Length;
        Interlocked.Increment(ref counter);
        return StunOutcome.Rejected;
    }

    private struct ValidatedAddress
    {
        public SocketAddress Address;
        public long LastCheck;
    }
}
