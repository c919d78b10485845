namespace SkubberPush.Observability;

public static class ObservabilityExtensions
{
    public static IServiceCollection AddPushObservability(this IServiceCollection services)
    {
        services.AddSingleton<PushMetrics>();
        services.AddSingleton<PrometheusExporter>();
        return services;
    }

    /// <summary><c>GET /metrics</c> in Prometheus text format.</summary>
    public static RouteHandlerBuilder MapMetrics(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/metrics", (PrometheusExporter exporter, PushMetrics _) =>
                TypedResults.Text(exporter.Scrape(), "text/plain; version=0.0.4; charset=utf-8"))
            .WithName("Metrics")
            .WithSummary("Prometheus metrics")
            .WithTags("Operations");
}
