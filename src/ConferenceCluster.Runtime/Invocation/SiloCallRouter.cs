using System.Text.Json;
using ConferenceCluster.Runtime.Activation;
using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Directory;
using ConferenceCluster.Runtime.Hosting;
using ConferenceCluster.Runtime.Membership;
using ConferenceCluster.Runtime.Messaging;
using ConferenceCluster.Runtime.Placement;
using ConferenceCluster.Runtime.Streams;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Runtime.Invocation;

/// <summary>
/// Routes grain calls on a silo: to the local catalog when the grain lives (or is to be placed) here, else
/// over the silo connection to the silo that holds it. Also serves what arrives from other silos and clients.
/// </summary>
internal sealed class SiloCallRouter : IGrainCallInvoker
{
    private readonly ILocalSiloDetails _local;
    private readonly GrainTypeRegistry _grainTypes;
    private readonly Catalog _catalog;
    private readonly GrainLocator _locator;
    private readonly MembershipAgent _membership;
    private readonly MessageCenter _messageCenter;
    private readonly ClusterEventBus _events;
    private readonly MessagingOptions _options;
    private readonly ILogger _logger;

    public SiloCallRouter(
        ILocalSiloDetails local, GrainTypeRegistry grainTypes, Catalog catalog, GrainLocator locator,
        MembershipAgent membership, MessageCenter messageCenter, ClusterEventBus events, MessagingOptions options, ILogger logger)
    {
        _local = local;
        _grainTypes = grainTypes;
        _catalog = catalog;
        _locator = locator;
        _membership = membership;
        _messageCenter = messageCenter;
        _events = events;
        _options = options;
        _logger = logger;
        catalog.Forward = (winner, item) => _ = ForwardAsync(winner.Silo, item);
        // Not a forward: the activation the call queued on went away before running it, so routing starts over.
        catalog.Redeliver = (grainId, item) => _ = CompleteFrom(item, InvokeAsync(grainId, item.Method, item.Arguments, item.ForwardCount));
    }

    /// <summary>True while this silo must not take new activations (it is shutting down).</summary>
    public bool Stopping { get; set; }

    public Task<object?> InvokeAsync(GrainId grainId, GrainMethod method, object?[] arguments)
    {
        // Fast path, no state machine: the grain already lives here.
        if (_catalog.TryGetValid(grainId, out var activation))
        {
            var completion = method.IsOneWay ? null : new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (activation.TryEnqueue(new InvokeWorkItem(grainId, method, arguments, completion, 0)))
                return completion?.Task ?? Task.FromResult<object?>(null);
        }
        return InvokeAsync(grainId, method, arguments, forwardCount: 0);
    }

    private async Task<object?> InvokeAsync(GrainId grainId, GrainMethod method, object?[] arguments, int forwardCount)
    {
        if (!_grainTypes.TryGet(grainId.Type, out var grainClass))
            throw new InvalidOperationException($"no grain class is registered for {grainId.Type}");

        for (var attempt = forwardCount; ; attempt++)
        {
            if (attempt > _options.MaxForwardCount)
                throw new SiloUnavailableException($"could not reach an activation of {grainId} after {attempt} attempts");
            var target = await ResolveTargetAsync(grainId, grainClass).ConfigureAwait(false);
            if (target == _local.SiloAddress)
            {
                if (Stopping && grainClass.UsesDirectory && !_catalog.HasValidActivation(grainId))
                {
                    // Its activation here is on its way out; once unregistered, the next lookup places it elsewhere.
                    await Task.Delay(RetryBackoff * (attempt + 1)).ConfigureAwait(false);
                    continue;
                }
                return await DeliverLocallyAsync(grainId, grainClass, method, arguments, attempt).ConfigureAwait(false);
            }
            try
            {
                return await SendAsync(target, grainId, method, arguments, attempt).ConfigureAwait(false);
            }
            catch (SiloUnavailableException ex)
            {
                // Safe to send again only if the request certainly ran nowhere: it never left this silo and the
                // target has left the cluster, or the target left gracefully (a leaving silo answers every request
                // it receives before it closes, running none on activations it no longer has).
                var departure = await DepartureOfAsync(target).ConfigureAwait(false);
                var retry = departure == Departure.Graceful || (departure == Departure.Failed && ex is MessageNotSentException);
                if (!retry)
                    throw;
                _locator.Invalidate(grainId);
            }
            catch (RetryableRejectionException ex)
            {
                // Typically a silo deactivating its grains on the way out: give it a moment, then look again.
                _logger.LogDebug("Retrying {Grain}: {Reason}", grainId, ex.Message);
                _locator.Invalidate(grainId);
                await Task.Delay(RetryBackoff * (attempt + 1)).ConfigureAwait(false);
            }
        }
    }

    private static readonly TimeSpan RetryBackoff = TimeSpan.FromMilliseconds(50);

    private enum Departure
    {
        StillMember,
        Graceful,
        Failed,
    }

    private async Task<Departure> DepartureOfAsync(SiloAddress silo)
    {
        await _membership.RefreshAsync().ConfigureAwait(false);
        var entry = _membership.Current.Entries.FirstOrDefault(e => e.SiloAddress == silo);
        return entry switch
        {
            { Status: SiloStatus.ShuttingDown or SiloStatus.Stopping } => Departure.Graceful,
            { Status: SiloStatus.Dead, SuspectTimes.Count: 0 } => Departure.Graceful,
            { Status: SiloStatus.Dead } => Departure.Failed,
            null when await _membership.IsDeadAsync(silo).ConfigureAwait(false) => Departure.Failed,
            _ => Departure.StillMember,
        };
    }

    private Task<object?> DeliverLocallyAsync(GrainId grainId, GrainClassMetadata grainClass, GrainMethod method, object?[] arguments, int forwardCount)
    {
        var completion = method.IsOneWay ? null : new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _catalog.Deliver(grainId, grainClass, new InvokeWorkItem(grainId, method, arguments, completion, forwardCount));
        return completion?.Task ?? Task.FromResult<object?>(null);
    }

    /// <summary>Which silo should receive a call: the live activation's, else where placement puts a new one.</summary>
    private async ValueTask<SiloAddress> ResolveTargetAsync(GrainId grainId, GrainClassMetadata grainClass)
    {
        if (grainClass.Placement == PlacementStrategy.SiloPinned)
        {
            if (grainId.Key == _local.Name)
                return _local.SiloAddress;
            return PlacementDirector.Place(grainId, PlacementStrategy.SiloPinned, _membership.Current, _local.SiloAddress)
                ?? throw new SiloUnavailableException($"no active silo is named '{grainId.Key}'");
        }
        if (_catalog.HasValidActivation(grainId))
            return _local.SiloAddress;
        if (_locator.TryGetCached(grainId, out var cached))
            return cached.Silo;
        var registered = await _locator.LookupAsync(grainId).ConfigureAwait(false);
        if (registered is not null)
            return registered.Silo;
        var caller = Stopping ? null : _local.SiloAddress;
        return PlacementDirector.Place(grainId, grainClass.Placement, _membership.Current, caller)
            ?? throw new SiloUnavailableException($"no active silo can host {grainId}");
    }

    private async Task<object?> SendAsync(SiloAddress target, GrainId grainId, GrainMethod method, object?[] arguments, int forwardCount)
    {
        var request = new Message
        {
            Kind = method.IsOneWay ? MessageKind.OneWayRequest : MessageKind.Request,
            ForwardCount = (byte)Math.Min(forwardCount, byte.MaxValue),
            GrainType = grainId.Type,
            GrainKey = grainId.Key,
            Method = method.WireName,
            Body = PayloadSerializer.SerializeArguments(arguments, method.ParameterTypes),
        };
        Connection connection;
        try
        {
            connection = await _messageCenter.GetConnectionAsync(target).ConfigureAwait(false);
        }
        catch (SiloUnavailableException ex) when (ex is not MessageNotSentException)
        {
            throw new MessageNotSentException(ex.Message);
        }
        if (method.IsOneWay)
        {
            connection.Send(request);
            return null;
        }
        var response = await connection.SendRequestAsync(request, _options.ResponseTimeout).ConfigureAwait(false);
        return ResponseReader.Read(response, method);
    }

    private async Task ForwardAsync(SiloAddress target, InvokeWorkItem item)
    {
        try
        {
            var grainId = item.GrainId;
            var result = item.ForwardCount >= _options.MaxForwardCount
                ? throw new SiloUnavailableException($"{grainId}: too many forwards")
                : await SendAsync(target, grainId, item.Method, item.Arguments, item.ForwardCount + 1).ConfigureAwait(false);
            item.Completion?.TrySetResult(result);
        }
        catch (Exception ex)
        {
            item.Fail(ex);
        }
    }

    private static async Task CompleteFrom(InvokeWorkItem item, Task<object?> call)
    {
        try
        {
            item.Completion?.TrySetResult(await call.ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            item.Fail(ex);
        }
    }

    /// <summary>Everything that arrives on a silo or gateway connection, except responses.</summary>
    public void OnMessage(Connection connection, Message message)
    {
        switch (message.Kind)
        {
            case MessageKind.Ping:
                connection.Send(new Message { Kind = MessageKind.Pong, Id = message.Id });
                break;
            case MessageKind.Broadcast when message.Method == SystemTopics.MembershipChanged:
                _ = _membership.RefreshAsync();
                break;
            case MessageKind.Broadcast:
                _events.DeliverLocal(message.Method ?? "", message.Body);
                break;
            case MessageKind.Request:
            case MessageKind.OneWayRequest:
                _ = ServeAsync(connection, message);
                break;
            default:
                connection.Close(new ProtocolViolationException($"unexpected {message.Kind} frame"));
                break;
        }
    }

    private async Task ServeAsync(Connection connection, Message request)
    {
        Message response;
        try
        {
            if (request.GrainType is null || request.GrainKey is null || request.Method is null)
                throw new FatalRejectionException("request without grain type, key or method");
            if (!_grainTypes.TryGet(request.GrainType, out var grainClass))
                throw new FatalRejectionException($"no grain class is registered for {request.GrainType} on {_local.SiloAddress}");
            if (!grainClass.TryGetInvoker(request.Method, out var method, out _))
                throw new FatalRejectionException($"{request.GrainType} has no method {request.Method}");
            object?[] arguments;
            try
            {
                arguments = PayloadSerializer.DeserializeArguments(request.Body.Span, method.ParameterTypes);
            }
            catch (JsonException ex)
            {
                throw new FatalRejectionException($"bad arguments for {request.Method}: {ex.Message}");
            }

            var grainId = new GrainId(request.GrainType, request.GrainKey);
            Task<object?> call;
            if (connection.PeerIdentity?.StartsWith("client", StringComparison.Ordinal) == true)
            {
                // A client's gateway routes the call exactly as a call made on this silo.
                call = InvokeAsync(grainId, method, arguments);
            }
            else
            {
                // Another silo chose this one: serve it here (placing or forwarding as the directory says).
                // A stopping silo still serves the activations it has until they are deactivated, but starts none.
                if (Stopping && !_catalog.HasValidActivation(grainId))
                    throw new RetryableRejectionException($"silo {_local.SiloAddress} is shutting down");
                if (grainClass.Placement == PlacementStrategy.SiloPinned && grainId.Key != _local.Name)
                    throw new RetryableRejectionException($"{grainId} is pinned to another silo");
                call = DeliverLocallyAsync(grainId, grainClass, method, arguments, request.ForwardCount);
            }

            var result = await call.ConfigureAwait(false);
            if (request.Kind == MessageKind.OneWayRequest) return;
            response = Message.ResponseTo(request, method.ResultType is null ? ReadOnlyMemory<byte>.Empty : PayloadSerializer.Serialize(result, method.ResultType));
        }
        catch (RetryableRejectionException ex)
        {
            response = new Message { Kind = MessageKind.Rejection, Id = request.Id, ErrorType = RetryableRejectionException.WireType, ErrorMessage = ex.Message };
        }
        catch (FatalRejectionException ex)
        {
            response = Message.RejectionTo(request, ex.Message);
        }
        catch (Exception ex)
        {
            response = Message.ExceptionTo(request, ex);
        }
        if (request.Kind == MessageKind.OneWayRequest)
        {
            if (response.Kind != MessageKind.Response)
                _logger.LogWarning("One-way call {Method} on {Type}/{Key} failed: {Error}", request.Method, request.GrainType, request.GrainKey, response.ErrorMessage);
            return;
        }
        connection.Send(response);
    }
}

/// <summary>Turns a response frame into the call's result or exception.</summary>
internal static class ResponseReader
{
    public static object? Read(Message response, GrainMethod method) => response.Kind switch
    {
        MessageKind.Response => method.ResultType is null ? null : PayloadSerializer.Deserialize(response.Body.Span, method.ResultType),
        MessageKind.Rejection when response.ErrorType == RetryableRejectionException.WireType => throw new RetryableRejectionException(response.ErrorMessage ?? ""),
        MessageKind.Rejection => throw new InvalidOperationException(response.ErrorMessage),
        _ => throw new GrainCallException(response.ErrorType ?? "Exception", response.ErrorMessage ?? ""),
    };
}

/// <summary>The receiving silo could not serve the call but another attempt (after a fresh lookup) may.</summary>
internal sealed class RetryableRejectionException(string message) : Exception(message)
{
    public const string WireType = "Retry";
}

/// <summary>The call can never succeed as sent (unknown grain type or method, bad arguments).</summary>
internal sealed class FatalRejectionException(string message) : Exception(message);
