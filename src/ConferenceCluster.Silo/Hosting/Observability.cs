using ConferenceCluster.Conferencing.Grains;
using Orleans.Dashboard;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ConferenceCluster.Silo.Hosting;

/// <summary>
/// What operators watch a node with: OpenTelemetry metrics (Orleans' meters, ours, ASP.NET Core's and the runtime's),
/// scraped by Prometheus at <c>/metrics</c> and pushed over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (traces
/// too, then), and the Orleans Dashboard at <c>/dashboard</c> behind the management API's credentials.
/// </summary>
internal static class Observability
{
    public const string DashboardPath = "/dashboard";
    public const string MetricsPath = "/metrics";

    /// <summary>The meters exported: Orleans' own, the conferencing layer's, ASP.NET Core's and the .NET runtime's.</summary>
    public static readonly string[] Meters =
    [
        "Microsoft.Orleans",
        ConferencingMetrics.MeterName,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "System.Runtime",
    ];

    public static void AddObservability(this WebApplicationBuilder builder, string siloName, string clusterId)
    {
        var otlp = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService("conferencecluster", serviceInstanceId: siloName)
                .AddAttributes([new("cluster.id", clusterId)]))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Meters).AddPrometheusExporter();
                if (otlp) metrics.AddOtlpExporter();
            });
        if (otlp)
            telemetry.WithTracing(tracing => tracing.AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application").AddOtlpExporter());
    }

    public static void AddDashboard(ISiloBuilder silo) => silo.AddDashboard();

    public static void MapObservability(this WebApplication app, bool dashboard)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        if (dashboard) app.MapOrleansDashboard(DashboardPath);
    }
}
