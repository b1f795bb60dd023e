using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ConferenceCluster.Sip.Transport;

/// <summary>
/// The TCP listener and the table of open connections, keyed by the peer's address so that a
/// response or an in-dialog request to that address reuses the connection (RFC 3261 18.2.2, 18.1.1).
/// </summary>
internal sealed class SipTcpChannel : IAsyncDisposable
{
    private readonly SipTransport _transport;
    private readonly Socket _listener;
    private readonly ConcurrentDictionary<IPEndPoint, SipTcpConnection> _connections = new();
    private ITimer? _idleSweep;
    private CancellationToken _stopping;

    public SipTcpChannel(SipTransport transport, IPEndPoint bindTo)
    {
        _transport = transport;
        _listener = new Socket(bindTo.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (bindTo.AddressFamily == AddressFamily.InterNetworkV6) _listener.DualMode = true;
            // A restarted silo must get its port back while old connections sit in TIME_WAIT.
            _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _listener.Bind(bindTo);
            _listener.Listen(512);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public int ConnectionCount => _connections.Count;

    public void StartAccepting(CancellationToken stopping)
    {
        _stopping = stopping;
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, _transport.Options.TcpIdleTimeout.Ticks / 4));
        _idleSweep = _transport.TimeProvider.CreateTimer(_ => CloseIdleConnections(), null, period, period);
        _ = AcceptLoopAsync(stopping);
    }

    private async Task AcceptLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException)
            {
                continue; // the peer gave up before we accepted
            }

            var remote = SipTransport.Normalize((IPEndPoint)socket.RemoteEndPoint!);
            if (_connections.Count >= _transport.Options.MaxTcpConnections)
            {
                _transport.WarnPeer(remote, "refused a TCP connection: {Count} connections are open", _connections.Count);
                socket.Dispose();
                continue;
            }
            var connection = SipTcpConnection.Accepted(_transport, this, socket, remote);
            if (_connections.TryGetValue(remote, out var stale)) stale.Close();
            _connections[remote] = connection;
            connection.Start(stopping);
        }
    }

    /// <summary>Queues a message on the connection to <paramref name="destination"/>, opening one if there is none.</summary>
    public void Send(ReadOnlyMemory<byte> message, IPEndPoint destination)
    {
        if (_stopping.IsCancellationRequested) return;
        if (!_connections.TryGetValue(destination, out var connection))
        {
            if (_connections.Count >= _transport.Options.MaxTcpConnections)
            {
                _transport.WarnPeer(destination, "cannot connect: {Count} connections are open", _connections.Count);
                return;
            }
            var created = SipTcpConnection.Outgoing(_transport, this, destination);
            connection = _connections.GetOrAdd(destination, created);
            if (ReferenceEquals(connection, created)) created.Start(_stopping);
        }
        connection.Enqueue(message);
    }

    internal void Remove(SipTcpConnection connection) =>
        _connections.TryRemove(new KeyValuePair<IPEndPoint, SipTcpConnection>(connection.RemoteEndPoint, connection));

    private void CloseIdleConnections()
    {
        var now = _transport.TimeProvider.GetTimestamp();
        foreach (var connection in _connections.Values)
        {
            if (_transport.TimeProvider.GetElapsedTime(connection.LastActivity, now) > _transport.Options.TcpIdleTimeout) connection.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _idleSweep?.Dispose();
        _listener.Dispose();
        var closing = new List<Task>();
        foreach (var connection in _connections.Values) closing.Add(connection.CloseAsync());
        await Task.WhenAll(closing).ConfigureAwait(false);
    }
}
