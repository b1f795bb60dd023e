using System.Buffers;
using System.Collections.Concurrent;
using Org.BouncyCastle.Tls;

namespace ConferenceCluster.Media.WebRtc.Dtls;

/// <summary>Sends one datagram to the leg's selected remote; called on BouncyCastle's handshake thread.</summary>
public delegate void DatagramSender(ReadOnlySpan<byte> datagram);

/// <summary>
/// BouncyCastle's <see cref="DatagramTransport"/> over the leg's one UDP socket: the worker that drains the socket
/// hands DTLS records in (<see cref="Enqueue"/>, a copy into a pooled buffer) and BouncyCastle's thread takes them
/// out, blocking up to its timeout. Sends go straight to the socket. A full queue drops (and counts) the datagram:
/// DTLS retransmits.
/// </summary>
internal sealed class DtlsDatagramChannel : DatagramTransport
{
    /// <summary>RFC 8445 §4 / common WebRTC practice: stay under a 1500-byte MTU with IPv6 and UDP headers.</summary>
    public const int Mtu = 1200;

    private const int MaxQueued = 64;
    private const int MaxDatagramBytes = 2048;

    private readonly ConcurrentQueue<(byte[] Buffer, int Length)> _queue = new();
    private readonly SemaphoreSlim _available = new(0);
    private readonly DatagramSender _send;
    private volatile bool _closed;
    private long _dropped;

    public DtlsDatagramChannel(DatagramSender send) => _send = send;

    /// <summary>Datagrams dropped because the queue was full or the channel closed.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public bool HasQueued => !_queue.IsEmpty;

    /// <summary>Closed by us, or by BouncyCastle when the peer's close_notify or a fatal alert ended the association.</summary>
    public bool IsClosed => _closed;

    /// <summary>Hands a received DTLS record in (worker thread).</summary>
    public bool Enqueue(ReadOnlySpan<byte> datagram)
    {
        if (_closed || datagram.Length > MaxDatagramBytes || _queue.Count >= MaxQueued)
        {
            Interlocked.Increment(ref _dropped);
            return false;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(datagram.Length);
        datagram.CopyTo(buffer);
        _queue.Enqueue((buffer, datagram.Length));
        _available.Release();
        return true;
    }

    public int GetReceiveLimit() => MaxDatagramBytes;

    public int GetSendLimit() => Mtu;

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    public int Receive(Span<byte> buffer, int waitMillis)
    {
        // Closed (the leg is gone): fail the handshake now. Returning −1 would only make BouncyCastle retransmit and
        // read again, in a tight loop, until its handshake timeout.
        ObjectDisposedException.ThrowIf(_closed, this);
        if (!_available.Wait(Math.Max(0, waitMillis)) || !_queue.TryDequeue(out (byte[] Buffer, int Length) item))
        {
            // BouncyCastle reads -1 as "nothing within waitMillis" and retransmits or gives up on its own timers.
            return -1;
        }

        int length = Math.Min(item.Length, buffer.Length);
        item.Buffer.AsSpan(0, length).CopyTo(buffer);
        ArrayPool<byte>.Shared.Return(item.Buffer);
        return length;
    }

    public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

    public void Send(ReadOnlySpan<byte> buffer)
    {
        if (!_closed)
        {
            _send(buffer);
        }
    }

    public void Close()
    {
        _closed = true;
        _available.Release(); // wake a blocked Receive
        while (_queue.TryDequeue(out (byte[] Buffer, int Length) item))
        {
            ArrayPool<byte>.Shared.Return(item.Buffer);
        }
    }
}
