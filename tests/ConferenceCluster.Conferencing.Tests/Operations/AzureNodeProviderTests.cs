using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ConferenceCluster.Conferencing.Operations.Bursting;
using ConferenceCluster.Silo.Hosting;

namespace ConferenceCluster.Conferencing.Tests.Operations;

/// <summary>
/// The <c>azure</c> provider against a local fake of Azure Resource Manager and its sign-in endpoint (HttpListener on
/// 127.0.0.1): client-credentials sign-in, the tagged VM list with power states, start and deallocate followed through
/// Azure-AsyncOperation, and 401/403 mapped to the bursting alarms' kinds (L15438–15440).
/// </summary>
public sealed class AzureNodeProviderTests : IDisposable
{
    private const string Subscription = "sub-1";
    private readonly FakeResourceManager _arm = new();
    private readonly HttpClient _http = new();

    private AzureNodeProvider Provider(string secret = "right") => new(new AzureProviderOptions
    {
        SubscriptionId = Subscription,
        TenantId = "tenant-1",
        ClientId = "app-1",
        ClientSecret = secret,
        ResourceManagerEndpoint = _arm.BaseUrl,
        AuthorityHost = _arm.BaseUrl,
        OperationPollInterval = TimeSpan.FromMilliseconds(20),
        OperationTimeout = TimeSpan.FromSeconds(20),
    }, _http, TimeProvider.System);

    [Fact]
    public async Task Lists_tagged_vms_starts_and_deallocates_following_the_async_operation_AZ649()
    {
        var provider = Provider();
        var instances = await provider.ListAsync(CancellationToken.None);
        Assert.Equal([("burst-a", CloudInstanceState.Stopped, "mgmt-host"), ("always-on", CloudInstanceState.Running, null)],
            instances.Select(i => (i.Name, i.State, i.TagValue)));

        var a = instances[0];
        await provider.StartAsync(a, CancellationToken.None);
        Assert.Equal(CloudInstanceState.Running, (await provider.ListAsync(CancellationToken.None))[0].State);
        await provider.StopAsync(a, CancellationToken.None);
        Assert.Equal(CloudInstanceState.Stopped, (await provider.ListAsync(CancellationToken.None))[0].State);

        // Only list, start and deallocate were asked (S19; "stop" on Azure is deallocate, AZ:649), each operation polled until it succeeded.
        Assert.Equal(["POST /tenant-1/oauth2/v2.0/token", "GET list", "POST start", "GET operation", "GET operation", "GET list", "POST deallocate", "GET operation", "GET operation", "GET list"],
            _arm.Requests);
        Assert.All(_arm.Authorizations, a => Assert.Equal("Bearer token-1", a));
    }

    [Fact]
    public async Task A_refused_sign_in_is_an_authentication_failure_L15439()
    {
        var failure = await Assert.ThrowsAsync<BurstingProviderException>(() => Provider(secret: "wrong").ListAsync(CancellationToken.None));
        Assert.Equal(BurstingFailureKind.Authentication, failure.Kind);
    }

    [Fact]
    public async Task A_403_on_start_is_unauthorized_instance_and_on_list_unauthorized_region_L15438()
    {
        var provider = Provider();
        var instances = await provider.ListAsync(CancellationToken.None);
        _arm.Forbid = true;
        Assert.Equal(BurstingFailureKind.UnauthorizedInstance,
            (await Assert.ThrowsAsync<BurstingProviderException>(() => provider.StartAsync(instances[0], CancellationToken.None))).Kind);
        Assert.Equal(BurstingFailureKind.UnauthorizedRegion,
            (await Assert.ThrowsAsync<BurstingProviderException>(() => provider.ListAsync(CancellationToken.None))).Kind);
    }

    public void Dispose()
    {
        _arm.Dispose();
        _http.Dispose();
    }

    /// <summary>Just enough of ARM: one subscription with a tagged burst VM and an untagged always-on VM.</summary>
    private sealed class FakeResourceManager : IDisposable
    {
        private const string VmA = "/subscriptions/sub-1/resourceGroups/burst/providers/Microsoft.Compute/virtualMachines/burst-a";
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<string> _requests = new();
        private readonly ConcurrentQueue<string?> _authorizations = new();
        private string _powerA = "PowerState/deallocated";
        private (int Polls, string FinalState)? _operation;

        public FakeResourceManager()
        {
            BaseUrl = $"http://127.0.0.1:{FreePorts.Pick()}";
            _listener.Prefixes.Add(BaseUrl + "/");
            _listener.Start();
            _ = ServeAsync();
        }

        public string BaseUrl { get; }
        public bool Forbid { get; set; }
        public IReadOnlyList<string> Requests => _requests.ToList();
        public IReadOnlyList<string?> Authorizations => _authorizations.ToList();

        public void Dispose() => _listener.Close();

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception)
                {
                    return;
                }
                var (status, body, headers) = Handle(context.Request, await new StreamReader(context.Request.InputStream).ReadToEndAsync());
                context.Response.StatusCode = status;
                foreach (var (name, value) in headers) context.Response.Headers[name] = value;
                var bytes = Encoding.UTF8.GetBytes(body);
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }

        private (int, string, Dictionary<string, string>) Handle(HttpListenerRequest request, string body)
        {
            var path = request.Url!.AbsolutePath;
            var none = new Dictionary<string, string>();
            if (path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal))
            {
                _requests.Enqueue($"POST {path}");
                var form = body.Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
                return form["grant_type"] == "client_credentials" && form["client_id"] == "app-1" && form["client_secret"] == "right"
                       && form["scope"] == BaseUrl + "/.default"
                    ? (200, """{"access_token":"token-1","expires_in":3600}""", none)
                    : (401, """{"error":"invalid_client"}""", none);
            }
            _authorizations.Enqueue(request.Headers["Authorization"]);
            if (Forbid) return (403, """{"error":{"code":"AuthorizationFailed"}}""", none);
            if (request.HttpMethod == "GET" && path == $"/subscriptions/{Subscription}/providers/Microsoft.Compute/virtualMachines")
            {
                _requests.Enqueue("GET list");
                return (200, new JsonObject
                {
                    ["value"] = new JsonArray(
                        Vm(VmA, "burst-a", _powerA, new JsonObject { [BurstingOptions.TagName] = "mgmt-host" }),
                        Vm("/subscriptions/sub-1/resourceGroups/main/providers/Microsoft.Compute/virtualMachines/always-on", "always-on", "PowerState/running", null)),
                }.ToJsonString(), none);
            }
            if (request.HttpMethod == "POST" && (path == $"{VmA}/start" || path == $"{VmA}/deallocate"))
            {
                var action = path[(path.LastIndexOf('/') + 1)..];
                _requests.Enqueue($"POST {action}");
                _operation = (0, action == "start" ? "PowerState/running" : "PowerState/deallocated");
                _powerA = action == "start" ? "PowerState/starting" : "PowerState/deallocating";
                return (202, "", new Dictionary<string, string> { ["Azure-AsyncOperation"] = $"{BaseUrl}/operations/1" });
            }
            if (request.HttpMethod == "GET" && path == "/operations/1" && _operation is { } operation)
            {
                _requests.Enqueue("GET operation");
                if (operation.Polls == 0)
                {
                    _operation = operation with { Polls = 1 };
                    return (200, """{"status":"InProgress"}""", none);
                }
                _powerA = operation.FinalState;
                return (200, """{"status":"Succeeded"}""", none);
            }
            return (404, """{"error":{"code":"NotFound"}}""", none);
        }

        private static JsonObject Vm(string id, string name, string power, JsonObject? tags) => new()
        {
            ["id"] = id,
            ["name"] = name,
            ["tags"] = tags,
            ["properties"] = new JsonObject { ["instanceView"] = new JsonObject { ["statuses"] = new JsonArray(
                new JsonObject { ["code"] = "ProvisioningState/succeeded" }, new JsonObject { ["code"] = power }) } },
        };
    }
}
