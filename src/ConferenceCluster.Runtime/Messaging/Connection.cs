using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using ConferenceCluster.Runtime.Core;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Runtime.Messaging;

/// <summary>
/// One TCP connection carrying frames both ways: a writer loop that batches queued frames into few flushes,
/// a reader loop that hands each frame to the owner, and the table of calls waiting for their response.
/// Any protocol violation or socket error closes this connection and fails its pending calls; nothing else.
/// </summary>
internal sealed class Connection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Channel<Message> _outbound = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, PendingCall> _pending = new();
    private readonly MessagingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private Action<Connection, Message>? _onMessage;
    private long _nextId;
    private Task _loops = Task.CompletedTask;
    private int _closed;

    public Connection(Socket socket, MessagingOptions options, TimeProvider time, ILogger logger)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
        _options = options;
        _time = time;
        _logger = logger;
        RemoteEndPoint = socket.RemoteEndPoint?.ToString() ?? "?";
    }

    public string RemoteEndPoint { get; }
    /// <summary>Who is at the other end, once the handshake said so (a silo address, or "client").</summary>
    public string? PeerIdentity { get; set; }
    public bool IsClosed => Volatile.Read(ref _closed) != 0;
    public Task Closed => _closedSource.Task;
    private readonly TaskCompletionSource _closedSource = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Start(Action<Connection, Message> onMessage)
    {
        _onMessage = onMessage;
        _loops = Task.WhenAll(Task.Run(ReadLoopAsync), Task.Run(WriteLoopAsync));
    }

    /// <summary>Reads exactly one frame before the loops start (the handshake), or throws.</summary>
    public async Task<Message> ReadHandshakeAsync(TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        cts.CancelAfter(timeout);
        while (true)
        {
            var result = await _input.ReadAsync(cts.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (MessageCodec.TryRead(ref buffer, _options.MaxMessageBytes, out var message))
            {
                _input.AdvanceTo(buffer.Start);
                if (message.Kind != MessageKind.Handshake)
                    throw new ProtocolViolationException("first frame is not a handshake");
                return message;
            }
            if (result.IsCompleted)
                throw new ProtocolViolationException("connection closed before the handshake");
            _input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    public void Send(Message message)
    {
        if (!_outbound.Writer.TryWrite(message))
            throw new MessageNotSentException($"connection to {PeerIdentity ?? RemoteEndPoint} is closed");
    }

    /// <summary>Sends a request and waits for its response frame (or a timeout, or the connection's end).</summary>
    public Task<Message> SendRequestAsync(Message request, TimeSpan timeout)
    {
        request.Id = Interlocked.Increment(ref _nextId);
        var pending = new PendingCall(_time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency), timeout);
        _pending[request.Id] = pending;
        if (IsClosed || !_outbound.Writer.TryWrite(request))
        {
            _pending.TryRemove(request.Id, out _);
            return Task.FromException<Message>(new MessageNotSentException($"connection to {PeerIdentity ?? RemoteEndPoint} is closed"));
        }
        return pending.Completion.Task;
    }

    /// <summary>Fails the calls whose deadline passed; called by the owner's periodic sweep.</summary>
    public void ExpireTimedOutCalls()
    {
        var now = _time.GetTimestamp();
        foreach (var (id, pending) in _pending)
        {
            if (pending.DeadlineTimestamp <= now && _pending.TryRemove(id, out _))
                pending.Completion.TrySetException(new TimeoutException($"no response from {PeerIdentity ?? RemoteEndPoint} within {pending.Timeout}"));
        }
    }

    public void Close(Exception? reason = null)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        if (reason is not null)
            _logger.LogDebug("Closing connection to {Peer}: {Reason}", PeerIdentity ?? RemoteEndPoint, reason.Message);
        _outbound.Writer.TryComplete();
        _closing.Cancel();
        try { _socket.Shutdown(SocketShutdown.Both); } catch (Exception) { /* already gone */ }
        _socket.Dispose();
        var failure = new SiloUnavailableException($"connection to {PeerIdentity ?? RemoteEndPoint} was lost", reason);
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
                pending.Completion.TrySetException(failure);
        }
        _closedSource.TrySetResult();
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(_closing.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (MessageCodec.TryRead(ref buffer, _options.MaxMessageBytes, out var message))
                    Dispatch(message);
                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) break;
            }
            Close();
        }
        catch (Exception ex)
        {
            Close(ex);
        }
    }

    private void Dispatch(Message message)
    {
        if (message.IsResponse)
        {
            if (_pending.TryRemove(message.Id, out var pending))
                pending.Completion.TrySetResult(message);
            return;
        }
        if (message.Kind == MessageKind.Handshake)
            throw new ProtocolViolationException("second handshake on one connection");
        _onMessage!(this, message);
    }

    private async Task WriteLoopAsync()
    {
        var reader = _outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_closing.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var message))
                {
                    MessageCodec.Write(_output, message);
                    if (_output.UnflushedBytes > 256 * 1024)
                        await _output.FlushAsync(_closing.Token).ConfigureAwait(false);
                }
                await _output.FlushAsync(_closing.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            Close(ex);
        }
    }

    /// <summary>Writes the handshake directly, before the loops run.</summary>
    public async Task WriteHandshakeAsync(Message handshake)
    {
        MessageCodec.Write(_output, handshake);
        await _output.FlushAsync(_closing.Token).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        Close();
        try { await _loops.ConfigureAwait(false); } catch (Exception) { /* loops end with the socket */ }
        _closing.Dispose();
    }

    private sealed class PendingCall(long deadlineTimestamp, TimeSpan timeout)
    {
        public long DeadlineTimestamp { get; } = deadlineTimestamp;
        public TimeSpan Timeout { get; } = timeout;
        public TaskCompletionSource<Message> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>The connection was closed before the message was queued: it certainly reached nobody, so it is safe to send again elsewhere.</summary>
internal sealed class MessageNotSentException(string message) : SiloUnavailableException(message);
