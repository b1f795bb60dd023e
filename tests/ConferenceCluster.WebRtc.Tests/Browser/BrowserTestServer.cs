using System.Net;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.WebRtc.Tests.Browser;

/// <summary>
/// Kestrel on 127.0.0.1 serving the test page (Browser/call.html), handing the browser's offer to the test
/// (POST /offer: the answer, or 400 with the reason) and taking the page's report (POST /report, JSON).
/// </summary>
internal sealed class BrowserTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource<JsonElement> _report = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BrowserTestServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <param name="answer">From the browser's offer to the SDP answer; throw <see cref="Media.WebRtc.Sdp.WebRtcOfferException"/> to answer 400.</param>
    public static async Task<BrowserTestServer> StartAsync(Func<string, Task<string>> answer)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        var server = new BrowserTestServer(app);
        string page = ReadPage();
        app.MapGet("/", () => Results.Content(page, "text/html"));
        app.MapPost("/offer", async (HttpRequest request) =>
        {
            string offer = await new StreamReader(request.Body).ReadToEndAsync();
            try
            {
                return Results.Text(await answer(offer), "application/sdp");
            }
            catch (Media.WebRtc.Sdp.WebRtcOfferException exception)
            {
                return Results.Text(exception.Message, statusCode: 400);
            }
        });
        app.MapPost("/report", async (HttpRequest request) =>
        {
            using JsonDocument report = await JsonDocument.ParseAsync(request.Body);
            server._report.TrySetResult(report.RootElement.Clone());
            return Results.Ok();
        });
        await app.StartAsync();
        server.BaseAddress = new Uri(app.Urls.First());
        return server;
    }

    /// <summary>The page's report, or a timeout after <paramref name="timeout"/>.</summary>
    public Task<JsonElement> ReportAsync(TimeSpan timeout) => _report.Task.WaitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
    }

    private static string ReadPage()
    {
        Assembly assembly = typeof(BrowserTestServer).Assembly;
        string name = assembly.GetManifestResourceNames().Single(n => n.EndsWith("call.html", StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        return reader.ReadToEnd();
    }
}
