using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Membership;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Runtime.Messaging;

/// <summary>
/// A silo's TCP endpoints: the silo port (other silos), the gateway port (clients), and one outbound
/// connection per remote silo for the requests this silo sends. Also answers and sends membership probes.
/// </summary>
internal sealed class MessageCenter : ISiloProber, IAsyncDisposable
{
    private readonly MessagingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<SiloAddress, Lazy<Task<Connection>>> _outbound = new();
    private readonly ConcurrentDictionary<Connection, byte> _inbound = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private Socket? _siloListener;
    private Socket? _gatewayListener;
    private ITimer? _sweeper;

    public MessageCenter(MessagingOptions options, TimeProvider time, ILogger logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>This silo's address, known once the silo port is bound.</summary>
    public SiloAddress LocalAddress { get; set; } = null!;
    /// <summary>Handles requests, one-way calls and broadcasts from silos and clients.</summary>
    public Action<Connection, Message> OnMessage { get; set; } = null!;

    public int SiloPort { get; private set; }
    public int GatewayPort { get; private set; }

    public void Listen(IPAddress address, int siloPort, int? gatewayPort)
    {
        _siloListener = Bind(address, siloPort);
        SiloPort = ((IPEndPoint)_siloListener.LocalEndPoint!).Port;
        if (gatewayPort is { } port)
        {
            _gatewayListener = Bind(address, port);
            GatewayPort = ((IPEndPoint)_gatewayListener.LocalEndPoint!).Port;
        }
    }

    public void StartAccepting()
    {
        _loops.Add(Task.Run(() => AcceptLoopAsync(_siloListener!, Handshake.SiloRole)));
        if (_gatewayListener is not null)
            _loops.Add(Task.Run(() => AcceptLoopAsync(_gatewayListener, Handshake.ClientRole)));
        var sweepPeriod = TimeSpan.FromMilliseconds(Math.Clamp(_options.ResponseTimeout.TotalMilliseconds / 4, 20, 1000));
        _sweeper = _time.CreateTimer(_ => SweepTimeouts(), null, sweepPeriod, sweepPeriod);
    }

    private static Socket Bind(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(new IPEndPoint(address, port));
        socket.Listen(512);
        return socket;
    }

    private async Task AcceptLoopAsync(Socket listener, string expectedRole)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                _logger.LogWarning(ex, "Accept failed");
                continue;
            }
            _ = AcceptAsync(socket, expectedRole);
        }
    }

    private async Task AcceptAsync(Socket socket, string expectedRole)
    {
        var connection = new Connection(socket, _options, _time, _logger);
        try
        {
            var hello = await connection.ReadHandshakeAsync(_options.ConnectTimeout).ConfigureAwait(false);
            var (_, identity) = Handshake.Validate(hello, expectedRole);
            connection.PeerIdentity = expectedRole == Handshake.ClientRole ? $"client {identity}" : identity;
            await connection.WriteHandshakeAsync(Handshake.Create(
                expectedRole == Handshake.ClientRole ? Handshake.GatewayRole : Handshake.SiloRole, LocalAddress.ToString())).ConfigureAwait(false);
            _inbound[connection] = 0;
            connection.Start(OnMessage);
            _ = connection.Closed.ContinueWith(_ => _inbound.TryRemove(connection, out byte _), TaskScheduler.Default);
        }
        catch (Exception ex)
        {
            // Garbage, a wrong role or a silent peer: this connection goes, nothing else is touched.
            _logger.LogInformation("Rejected connection from {Remote}: {Reason}", connection.RemoteEndPoint, ex.Message);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The open connection to a silo, connecting (and checking who answers) if needed.</summary>
    public async Task<Connection> GetConnectionAsync(SiloAddress target)
    {
        while (true)
        {
            var lazy = _outbound.GetOrAdd(target, t => new Lazy<Task<Connection>>(() => ConnectAsync(t)));
            Connection connection;
            try
            {
                connection = await lazy.Value.ConfigureAwait(false);
            }
            catch
            {
                _outbound.TryRemove(new KeyValuePair<SiloAddress, Lazy<Task<Connection>>>(target, lazy));
                throw;
            }
            if (!connection.IsClosed)
                return connection;
            _outbound.TryRemove(new KeyValuePair<SiloAddress, Lazy<Task<Connection>>>(target, lazy));
        }
    }

    private async Task<Connection> ConnectAsync(SiloAddress target)
    {
        if (_stopping.IsCancellationRequested)
            throw new SiloUnavailableException($"silo {LocalAddress} is stopping");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(target.Host, target.Port, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            socket.Dispose();
            throw new SiloUnavailableException($"cannot connect to silo {target}: {ex.Message}", ex);
        }
        var connection = new Connection(socket, _options, _time, _logger) { PeerIdentity = target.ToString() };
        try
        {
            await connection.WriteHandshakeAsync(Handshake.Create(Handshake.SiloRole, LocalAddress.ToString())).ConfigureAwait(false);
            var reply = await connection.ReadHandshakeAsync(_options.ConnectTimeout).ConfigureAwait(false);
            var (_, identity) = Handshake.Validate(reply, Handshake.SiloRole);
            if (identity != target.ToString())
                throw new SiloUnavailableException($"silo {target} is gone: {identity} listens there now");
        }
        catch (Exception ex)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw ex as SiloUnavailableException ?? new SiloUnavailableException($"handshake with silo {target} failed: {ex.Message}", ex);
        }
        connection.Start(OnMessage);
        return connection;
    }

    /// <summary>Closes the connection to a silo that died, failing its pending calls now rather than at their timeout.</summary>
    public void Disconnect(SiloAddress silo)
    {
        if (_outbound.TryRemove(silo, out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
            lazy.Value.Result.Close(new SiloUnavailableException($"silo {silo} was declared dead"));
        foreach (var connection in _inbound.Keys.Where(c => c.PeerIdentity == silo.ToString()))
            connection.Close(new SiloUnavailableException($"silo {silo} was declared dead"));
    }

    public async Task<bool> PingAsync(SiloAddress target, TimeSpan timeout)
    {
        try
        {
            var connection = await GetConnectionAsync(target).WaitAsync(timeout, _time).ConfigureAwait(false);
            var reply = await connection.SendRequestAsync(new Message { Kind = MessageKind.Ping }, timeout).ConfigureAwait(false);
            return reply.Kind == MessageKind.Pong;
        }
        catch (Exception)
        {
            return false;
        }
    }

    public void GossipTableChanged(IEnumerable<SiloAddress> targets)
    {
        foreach (var target in targets)
            _ = SendOneWayAsync(target, new Message { Kind = MessageKind.Broadcast, Method = SystemTopics.MembershipChanged });
    }

    /// <summary>Best effort: a one-way frame that cannot be sent is dropped and logged.</summary>
    public async Task SendOneWayAsync(SiloAddress target, Message message)
    {
        try
        {
            var connection = await GetConnectionAsync(target).ConfigureAwait(false);
            connection.Send(message);
        }
        catch (Exception ex)
        {
            _logger.LogDebug("Dropped one-way {Kind} to {Target}: {Reason}", message.Kind, target, ex.Message);
        }
    }

    private void SweepTimeouts()
    {
        foreach (var lazy in _outbound.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
                lazy.Value.Result.ExpireTimedOutCalls();
        }
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _sweeper?.Dispose();
        _siloListener?.Dispose();
        _gatewayListener?.Dispose();
        foreach (var connection in _inbound.Keys) connection.Close();
        foreach (var lazy in _outbound.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully) lazy.Value.Result.Close();
        }
        try { await Task.WhenAll(_loops).ConfigureAwait(false); } catch (Exception) { /* listeners closed */ }
    }
}

/// <summary>Broadcast topics the runtime itself uses.</summary>
internal static class SystemTopics
{
    public const string MembershipChanged = "cc.membership.changed";
}
