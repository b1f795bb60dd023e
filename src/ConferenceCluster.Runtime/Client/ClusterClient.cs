using System.Net.Sockets;
using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Invocation;
using ConferenceCluster.Runtime.Membership;
using ConferenceCluster.Runtime.Messaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConferenceCluster.Runtime.Client;

/// <summary>How a cluster client finds and talks to gateways.</summary>
public sealed class ClusterClientOptions
{
    /// <summary>Fixed gateways as "host:port"; when empty, gateways come from the membership table.</summary>
    public List<string> Gateways { get; set; } = [];
    /// <summary>How often the gateway list is re-read from the table (Orleans: 1 min); it is also re-read when a gateway fails.</summary>
    public TimeSpan GatewayListRefreshPeriod { get; set; } = TimeSpan.FromMinutes(1);
    public MessagingOptions Messaging { get; set; } = new();
}

/// <summary>
/// A process that is not a silo (load tester, CLI, tests) calling grains: one connection to one silo's
/// gateway, which routes each call as if made on that silo. When the gateway goes away the next call
/// connects to another one; calls in flight on the lost connection fail with <see cref="SiloUnavailableException"/>.
/// </summary>
public sealed class ClusterClient : IGrainFactory, IGrainCallInvoker, IAsyncDisposable
{
    private readonly ClusterClientOptions _options;
    private readonly IMembershipTable? _table;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly GrainFactory _factory;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private readonly string _clientId = Guid.NewGuid().ToString("N");
    private readonly ITimer _sweeper;
    private List<string> _gateways = [];
    private DateTimeOffset _gatewaysReadAt = DateTimeOffset.MinValue;
    private Connection? _connection;
    private int _nextGateway = Random.Shared.Next(1000);
    private bool _disposed;

    public ClusterClient(ClusterClientOptions options, IMembershipTable? table = null, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        if (options.Gateways.Count == 0 && table is null)
            throw new ArgumentException("a cluster client needs either fixed gateways or a membership table", nameof(options));
        _options = options;
        _table = table;
        _time = time ?? TimeProvider.System;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<ClusterClient>();
        _factory = new GrainFactory(this);
        _sweeper = _time.CreateTimer(_ => Volatile.Read(ref _connection)?.ExpireTimedOutCalls(), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
    }

    /// <summary>The gateway ("host:port") the client is connected to now, if any.</summary>
    public string? ConnectedGateway { get; private set; }

    public TGrainInterface GetGrain<TGrainInterface>(string key) where TGrainInterface : IGrainWithStringKey =>
        _factory.GetGrain<TGrainInterface>(key);

    public async Task ConnectAsync(CancellationToken cancellationToken = default) => await GetConnectionAsync(cancellationToken).ConfigureAwait(false);

    async Task<object?> IGrainCallInvoker.InvokeAsync(GrainId grainId, GrainMethod method, object?[] arguments)
    {
        var body = PayloadSerializer.SerializeArguments(arguments, method.ParameterTypes);
        for (var attempt = 0; ; attempt++)
        {
            var connection = await GetConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            var request = new Message
            {
                Kind = method.IsOneWay ? MessageKind.OneWayRequest : MessageKind.Request,
                GrainType = grainId.Type,
                GrainKey = grainId.Key,
                Method = method.WireName,
                Body = body,
            };
            try
            {
                if (method.IsOneWay)
                {
                    connection.Send(request);
                    return null;
                }
                var response = await connection.SendRequestAsync(request, _options.Messaging.ResponseTimeout).ConfigureAwait(false);
                return ResponseReader.Read(response, method);
            }
            catch (RetryableRejectionException) when (attempt < _options.Messaging.MaxForwardCount)
            {
                // The gateway could not route it this time (a silo stopping, a stale directory); go again.
            }
            catch (MessageNotSentException) when (attempt < 2)
            {
                // The connection was already gone when we tried to send: nothing reached a silo, so try another gateway.
            }
        }
    }

    private async Task<Connection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _connection);
        if (current is { IsClosed: false })
            return current;
        await _connectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is { IsClosed: false })
                return _connection;
            var gateways = await GetGatewaysAsync(forceRefresh: _connection is not null, cancellationToken).ConfigureAwait(false);
            var errors = new List<string>();
            for (var i = 0; i < gateways.Count; i++)
            {
                var gateway = gateways[(_nextGateway + i) % gateways.Count];
                try
                {
                    var connection = await ConnectAsync(gateway, cancellationToken).ConfigureAwait(false);
                    _nextGateway += i + 1;
                    ConnectedGateway = gateway;
                    Volatile.Write(ref _connection, connection);
                    _logger.LogInformation("Cluster client connected to gateway {Gateway}", gateway);
                    return connection;
                }
                catch (Exception ex) when (ex is SocketException or SiloUnavailableException or ProtocolViolationException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    errors.Add($"{gateway}: {ex.Message}");
                }
            }
            throw new SiloUnavailableException($"no gateway is reachable ({(errors.Count == 0 ? "none known" : string.Join("; ", errors))})");
        }
        finally
        {
            _connectGate.Release();
        }
    }

    private async Task<List<string>> GetGatewaysAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        if (_options.Gateways.Count > 0)
            return _options.Gateways;
        if (forceRefresh || _gateways.Count == 0 || _time.GetUtcNow() - _gatewaysReadAt > _options.GatewayListRefreshPeriod)
        {
            var data = await _table!.ReadAllAsync(cancellationToken).ConfigureAwait(false);
            _gateways = data.Rows.Select(r => r.Entry)
                .Where(e => e.Status == SiloStatus.Active && e.GatewayPort > 0)
                .Select(e => $"{e.SiloAddress.Host}:{e.GatewayPort}")
                .ToList();
            _gatewaysReadAt = _time.GetUtcNow();
        }
        return _gateways;
    }

    private async Task<Connection> ConnectAsync(string gateway, CancellationToken cancellationToken)
    {
        var colon = gateway.LastIndexOf(':');
        var host = gateway[..colon];
        var port = int.Parse(gateway[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Messaging.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var connection = new Connection(socket, _options.Messaging, _time, _logger) { PeerIdentity = gateway };
        try
        {
            await connection.WriteHandshakeAsync(Handshake.Create(Handshake.ClientRole, _clientId)).ConfigureAwait(false);
            var reply = await connection.ReadHandshakeAsync(_options.Messaging.ConnectTimeout).ConfigureAwait(false);
            Handshake.Validate(reply, Handshake.GatewayRole);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        connection.Start((c, m) => c.Close(new ProtocolViolationException($"a gateway sent an unexpected {m.Kind} frame")));
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        _sweeper.Dispose();
        if (_connection is not null)
            await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
