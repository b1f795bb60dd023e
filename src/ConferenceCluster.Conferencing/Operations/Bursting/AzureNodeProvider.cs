using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace ConferenceCluster.Conferencing.Operations.Bursting;

/// <summary>
/// The <c>azure</c> provider, over the Azure Resource Manager REST API (Azure.ResourceManager.Compute cannot be restored
/// here; docs/decisions.md): lists the subscription's VMs with their power state, keeps those tagged
/// <c>pexip-cloud</c>, starts them (<c>POST …/start</c>) and deallocates them (<c>POST …/deallocate</c>, AZ:649–651),
/// following each long-running operation to its end. Signs in with the client credentials of AZ:621–624, or with the
/// VM's managed identity when no client id is configured.
/// </summary>
public sealed class AzureNodeProvider(AzureProviderOptions options, HttpClient http, TimeProvider time) : IOverflowNodeProvider
{
    /// <summary>Bounds the pages of one list (Azure pages VM lists by 1000 or so).</summary>
    private const int MaxPages = 100;

    private string? _token;
    private DateTimeOffset _tokenExpires;

    private string Endpoint => options.ResourceManagerEndpoint.TrimEnd('/');

    public async Task<IReadOnlyList<CloudInstance>> ListAsync(CancellationToken cancellationToken)
    {
        var instances = new List<CloudInstance>();
        string? url = $"{Endpoint}/subscriptions/{Uri.EscapeDataString(options.SubscriptionId)}/providers/Microsoft.Compute/virtualMachines?api-version={options.ApiVersion}&statusOnly=true";
        for (var page = 0; url is not null && page < MaxPages; page++)
        {
            using var response = await SendAsync(HttpMethod.Get, url, BurstingFailureKind.UnauthorizedRegion, cancellationToken).ConfigureAwait(false);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))!;
            foreach (var vm in body["value"]?.AsArray() ?? [])
            {
                if (vm is null) continue;
                var statuses = vm["properties"]?["instanceView"]?["statuses"]?.AsArray() ?? [];
                var power = statuses.Select(s => (string?)s?["code"]).FirstOrDefault(c => c?.StartsWith("PowerState/", StringComparison.Ordinal) == true);
                instances.Add(new CloudInstance((string)vm["id"]!, (string)vm["name"]!, null, StateOf(power), (string?)vm["tags"]?[BurstingOptions.TagName]));
            }
            url = (string?)body["nextLink"];
        }
        return instances;
    }

    public Task StartAsync(CloudInstance instance, CancellationToken cancellationToken) => RunOperationAsync(instance, "start", cancellationToken);

    public Task StopAsync(CloudInstance instance, CancellationToken cancellationToken) => RunOperationAsync(instance, "deallocate", cancellationToken);

    private static CloudInstanceState StateOf(string? powerState) => powerState switch
    {
        "PowerState/running" => CloudInstanceState.Running,
        "PowerState/starting" => CloudInstanceState.Starting,
        "PowerState/stopping" or "PowerState/deallocating" => CloudInstanceState.Stopping,
        _ => CloudInstanceState.Stopped,
    };

    /// <summary>POSTs the action and follows Azure-AsyncOperation (or Location) until it succeeds, fails or times out.</summary>
    private async Task RunOperationAsync(CloudInstance instance, string action, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + options.OperationTimeout;
        using var accepted = await SendAsync(HttpMethod.Post, $"{Endpoint}{instance.Id}/{action}?api-version={options.ApiVersion}",
            BurstingFailureKind.UnauthorizedInstance, cancellationToken).ConfigureAwait(false);
        var asyncOperation = accepted.Headers.TryGetValues("Azure-AsyncOperation", out var values) ? values.First() : null;
        var location = accepted.Headers.Location?.ToString();
        if (accepted.StatusCode != HttpStatusCode.Accepted || (asyncOperation ?? location) is not { } poll) return;
        while (time.GetUtcNow() < deadline)
        {
            await Task.Delay(options.OperationPollInterval, time, cancellationToken).ConfigureAwait(false);
            using var status = await SendAsync(HttpMethod.Get, poll, BurstingFailureKind.UnauthorizedInstance, cancellationToken).ConfigureAwait(false);
            if (asyncOperation is null)
            {
                if (status.StatusCode == HttpStatusCode.OK) return; // Location polling: 202 while running, 200 when done
                continue;
            }
            var state = (string?)JsonNode.Parse(await status.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))?["status"];
            switch (state)
            {
                case "Succeeded":
                    return;
                case "Failed" or "Canceled":
                    throw new BurstingProviderException(BurstingFailureKind.Other, $"{action} of {instance.Name} ended {state}");
            }
        }
        throw new BurstingProviderException(BurstingFailureKind.Other, $"{action} of {instance.Name} did not finish within {options.OperationTimeout}");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, BurstingFailureKind forbidden, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(cancellationToken).ConfigureAwait(false));
        if (method == HttpMethod.Post) request.Content = new StringContent("");
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new BurstingProviderException(BurstingFailureKind.Other, $"Azure Resource Manager unreachable: {ex.Message}", ex);
        }
        if (response.IsSuccessStatusCode) return response;
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var code = response.StatusCode;
        response.Dispose();
        throw code switch
        {
            HttpStatusCode.Unauthorized => new BurstingProviderException(BurstingFailureKind.Authentication, $"Azure refused the token: {text}"),
            HttpStatusCode.Forbidden => new BurstingProviderException(forbidden, $"not authorized: {text}"),
            _ => new BurstingProviderException(BurstingFailureKind.Other, $"{method} {url} answered {(int)code}: {text}"),
        };
    }

    private async Task<string> TokenAsync(CancellationToken cancellationToken)
    {
        if (_token is not null && time.GetUtcNow() < _tokenExpires) return _token;
        var resource = Endpoint;
        HttpRequestMessage request;
        if (options.ClientId.Length > 0)
        {
            request = new HttpRequestMessage(HttpMethod.Post, $"{options.AuthorityHost.TrimEnd('/')}/{Uri.EscapeDataString(options.TenantId)}/oauth2/v2.0/token")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "client_credentials",
                    ["client_id"] = options.ClientId,
                    ["client_secret"] = options.ClientSecret,
                    ["scope"] = $"{resource}/.default",
                }),
            };
        }
        else
        {
            request = new HttpRequestMessage(HttpMethod.Get, $"{options.ManagedIdentityEndpoint}?api-version=2018-02-01&resource={Uri.EscapeDataString(resource + "/")}");
            request.Headers.Add("Metadata", "true");
        }
        using (request)
        {
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                throw new BurstingProviderException(BurstingFailureKind.Authentication, $"cannot reach the sign-in endpoint: {ex.Message}", ex);
            }
            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                    throw new BurstingProviderException(BurstingFailureKind.Authentication, $"sign-in failed ({(int)response.StatusCode}): {body}");
                var json = JsonNode.Parse(body)!;
                _token = (string?)json["access_token"] ?? throw new BurstingProviderException(BurstingFailureKind.Authentication, "sign-in answered no access_token");
                var lifetime = json["expires_in"] is { } expires && long.TryParse(expires.ToString(), out var seconds) ? seconds : 300;
                // Renew a minute early so a token never expires mid-operation.
                _tokenExpires = time.GetUtcNow() + TimeSpan.FromSeconds(Math.Max(0, lifetime - 60));
                return _token;
            }
        }
    }
}
