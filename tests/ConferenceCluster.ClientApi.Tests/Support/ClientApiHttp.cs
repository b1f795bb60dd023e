using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ConferenceCluster.ClientApi.Tests.Support;

/// <summary>An answer of the client API: its status code and Pexip's envelope.</summary>
internal sealed record ClientAnswer(HttpStatusCode Status, JsonElement Body)
{
    public JsonElement Result => Body.GetProperty("result");

    public string? Field => Body.TryGetProperty("field", out var named) ? named.GetString() : null;

    public override string ToString() => $"{(int)Status} {Body}";
}

/// <summary>A client of the client REST API v2 over plain HTTP, as a script (or an SDK) calls it.</summary>
internal sealed class ClientApiHttp(HttpClient http, string alias)
{
    public string? Token { get; set; }

    public string? ParticipantId { get; private set; }

    public string Alias => alias;

    public async Task<ClientAnswer> RequestTokenAsync(string displayName, string? pin = null)
    {
        var answer = await PostAsync("request_token", new { display_name = displayName }, pin);
        if (answer.Status == HttpStatusCode.OK)
        {
            Token = answer.Result.GetProperty("token").GetString();
            ParticipantId = answer.Result.GetProperty("participant_uuid").GetString();
        }
        return answer;
    }

    /// <summary>POSTs a JSON body (or none) with this client's token.</summary>
    public Task<ClientAnswer> PostAsync(string path, object? body = null, string? pin = null) =>
        SendAsync(path, body is null ? null : JsonContent.Create(body), pin);

    /// <summary>POSTs raw text as the body (malformed JSON and the like).</summary>
    public Task<ClientAnswer> PostRawAsync(string path, string body) =>
        SendAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), null);

    public async Task<ClientAnswer> GetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(path));
        if (Token is not null) request.Headers.Add("token", Token);
        return await ReadAsync(await http.SendAsync(request));
    }

    public string Url(string path) => $"/api/client/v2/conferences/{Uri.EscapeDataString(alias)}/{path}";

    private async Task<ClientAnswer> SendAsync(string path, HttpContent? content, string? pin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url(path)) { Content = content };
        if (Token is not null) request.Headers.Add("token", Token);
        if (pin is not null) request.Headers.Add("pin", pin);
        return await ReadAsync(await http.SendAsync(request));
    }

    private static async Task<ClientAnswer> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        JsonElement body;
        try
        {
            body = JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            Assert.Fail($"the client API answered {(int)response.StatusCode} without JSON: '{text}'");
            throw;
        }
        Assert.True(body.TryGetProperty("status", out var status) && status.GetString() is "success" or "failure",
            $"not Pexip's envelope: {text}");
        Assert.Equal(response.IsSuccessStatusCode ? "success" : "failure", status.GetString());
        return new ClientAnswer(response.StatusCode, body);
    }
}
