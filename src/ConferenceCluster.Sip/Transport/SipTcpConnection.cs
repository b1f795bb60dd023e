using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using ConferenceCluster.Sip.Messages;

namespace ConferenceCluster.Sip.Transport;

/// <summary>
/// One TCP connection: a read loop that frames messages with the parser (RFC 3261 18.3: Content-Length
/// is mandatory on streams) and a single writer draining a bounded queue, so messages go out whole
/// and in order. A connection whose framing is lost is answered (if possible) and closed.
/// </summary>
internal sealed class SipTcpConnection
{
    private const int InitialBufferSize = 4096;
    // Room for leading keep-alive CRLFs on top of the largest message the parser accepts.
    private const int BufferSlack = 4096;

    private readonly SipTransport _transport;
    private readonly SipTcpChannel _channel;
    private readonly Socket _socket;
    private readonly bool _connectFirst;
    private readonly Channel<ReadOnlyMemory<byte>> _outbound;
    private readonly CancellationTokenSource _closed = new();
    private Task _readLoop = Task.CompletedTask;
    private Task _writeLoop = Task.CompletedTask;
    private IPEndPoint? _localEndPoint;
    private int _closing;

    private SipTcpConnection(SipTransport transport, SipTcpChannel channel, Socket socket, IPEndPoint remote, bool connectFirst)
    {
        _transport = transport;
        _channel = channel;
        _socket = socket;
        _connectFirst = connectFirst;
        RemoteEndPoint = remote;
        LastActivity = transport.TimeProvider.GetTimestamp();
        _outbound = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(transport.Options.MaxQueuedMessagesPerConnection)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails and we disconnect the peer that does not read
        });
    }

    public static SipTcpConnection Accepted(SipTransport transport, SipTcpChannel channel, Socket socket, IPEndPoint remote)
    {
        var connection = new SipTcpConnection(transport, channel, socket, remote, connectFirst: false);
        connection._localEndPoint = SipTransport.Normalize((IPEndPoint)socket.LocalEndPoint!);
        return connection;
    }

    public static SipTcpConnection Outgoing(SipTransport transport, SipTcpChannel channel, IPEndPoint remote) =>
        new(transport, channel, new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }, remote, connectFirst: true);

    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>Timestamp (of the transport's clock) of the last byte read or written.</summary>
    public long LastActivity { get; private set; }

    public void Start(CancellationToken stopping)
    {
        var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _closed.Token).Token;
        _writeLoop = WriteLoopAsync(linked);
        if (!_connectFirst) _readLoop = ReadLoopAsync(linked);
    }

    public void Enqueue(ReadOnlyMemory<byte> message)
    {
        if (!_outbound.Writer.TryWrite(message))
        {
            if (Volatile.Read(ref _closing) == 0)
                _transport.WarnPeer(RemoteEndPoint, "closed a TCP connection whose send queue is full ({Count} messages)", _transport.Options.MaxQueuedMessagesPerConnection);
            Close();
        }
    }

    private async Task WriteLoopAsync(CancellationToken cancellation)
    {
        try
        {
            if (_connectFirst)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                timeout.CancelAfter(_transport.Options.TcpConnectTimeout);
                await _socket.ConnectAsync(RemoteEndPoint, timeout.Token).ConfigureAwait(false);
                _localEndPoint = SipTransport.Normalize((IPEndPoint)_socket.LocalEndPoint!);
                _readLoop = ReadLoopAsync(cancellation);
            }
            var reader = _outbound.Reader;
            while (await reader.WaitToReadAsync(cancellation).ConfigureAwait(false))
            {
                while (reader.TryRead(out var message))
                {
                    await _socket.SendAsync(message, SocketFlags.None, cancellation).ConfigureAwait(false);
                    LastActivity = _transport.TimeProvider.GetTimestamp();
                }
            }
            // Completed by CloseAfterFlush: everything queued is out, now let the peer see the close.
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            if (e is SocketException se) _transport.WarnPeer(RemoteEndPoint, "TCP connection failed: {Error}", se.SocketErrorCode);
        }
        finally
        {
            Close();
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancellation)
    {
        var buffer = new byte[InitialBufferSize];
        var maxBuffer = _transport.Options.Parser.MaxMessageSize + BufferSlack;
        var filled = 0;
        var peer = new SipPeer(SipProtocol.Tcp, RemoteEndPoint) { LocalEndPoint = _localEndPoint };
        try
        {
            while (!cancellation.IsCancellationRequested)
            {
                if (filled == buffer.Length)
                {
                    if (buffer.Length >= maxBuffer)
                    {
                        // The parser asked for more than any message may hold (CRLF flood): nothing sensible follows.
                        _transport.WarnPeer(RemoteEndPoint, "closed a TCP connection: {Bytes} bytes without a complete message", filled);
                        return;
                    }
                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, maxBuffer));
                }
                var read = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellation).ConfigureAwait(false);
                if (read == 0) return; // the peer closed
                LastActivity = _transport.TimeProvider.GetTimestamp();
                filled += read;

                var consumed = FrameMessages(buffer.AsSpan(0, filled), peer, out var keepOpen);
                if (!keepOpen)
                {
                    CloseAfterFlush();
                    return;
                }
                if (consumed > 0)
                {
                    Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                    filled -= consumed;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Closed under us or reset by the peer: the finally below tidies up.
        }
        finally
        {
            if (Volatile.Read(ref _closing) == 0) CloseAfterFlush();
        }
    }

    /// <summary>Parses every complete message in <paramref name="data"/>; returns the bytes used.</summary>
    private int FrameMessages(ReadOnlySpan<byte> data, SipPeer peer, out bool keepOpen)
    {
        keepOpen = true;
        var offset = 0;
        while (offset < data.Length)
        {
            SipParseResult result;
            try
            {
                result = SipMessageParser.Parse(data[offset..], SipTransportKind.Stream, _transport.Options.Parser);
            }
            catch (Exception e)
            {
                _transport.WarnPeer(RemoteEndPoint, "closed a TCP connection, the parser failed: {Exception}", e);
                keepOpen = false;
                return offset;
            }
            if (result.Status == SipParseStatus.NeedMoreData)
            {
                return offset + result.BytesConsumed; // leading CRLF keep-alives need not stay in the buffer
            }
            try
            {
                _transport.Deliver(result, peer);
            }
            catch (Exception e)
            {
                _transport.WarnPeer(RemoteEndPoint, "failed to process a message: {Exception}", e);
            }
            if (result.FramingLost)
            {
                // RFC 4475 3.1.2.3 / 3.3.9: we cannot know where the next message starts.
                keepOpen = false;
                return data.Length;
            }
            offset += Math.Max(result.BytesConsumed, 1);
        }
        return offset;
    }

    /// <summary>Sends what is queued (a 400 about lost framing, say), then closes.</summary>
    private void CloseAfterFlush()
    {
        _channel.Remove(this);
        _outbound.Writer.TryComplete();
    }

    public void Close()
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0) return;
        _channel.Remove(this);
        _outbound.Writer.TryComplete();
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        _socket.Dispose();
    }

    public async Task CloseAsync()
    {
        Close();
        try
        {
            await Task.WhenAll(_readLoop, _writeLoop).ConfigureAwait(false);
        }
        catch
        {
            // Loops end with the exceptions they already handled.
        }
    }
}
