using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SkubberPush.Json;
using SkubberPush.Json.Rest;
using SkubberPush.Observability;

namespace SkubberPush.Endpoints;

/// <summary>
/// Liveness (<c>/health</c>), readiness (<c>/ready</c>), <c>/metrics</c> — on the operations port
/// when one is configured — and the JSON 404 for every route that does not exist.
/// </summary>
public static class OpsEndpoints
{
    public const string ReadyTag = "ready";

    public static IEndpointRouteBuilder MapOpsEndpoints(this IEndpointRouteBuilder routes, int? opsPort)
    {
        var health = routes.MapGet("/health", () => TypedResults.Ok(new HealthResponse("ok")))
            .WithName("Health")
            .WithSummary("Liveness: 200 while the process serves")
            .WithTags("Operations");
        var ready = routes.MapGet("/ready", ReadyAsync)
            .WithName("Ready")
            .WithSummary("Readiness: 503 while starting and while draining")
            .WithTags("Operations");
        var metrics = routes.MapMetrics();
        if (opsPort is { } port)
        {
            health.RequireHost($"*:{port}");
            ready.RequireHost($"*:{port}");
            metrics.RequireHost($"*:{port}");
        }
        routes.MapFallback(() => new ApiError(StatusCodes.Status404NotFound, "Not found").ToResult())
            .ExcludeFromDescription();
        return routes;
    }

    private static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> ReadyAsync(HealthCheckService health, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(check => check.Tags.Contains(ReadyTag), cancellationToken);
        return report.Status == HealthStatus.Healthy
            ? TypedResults.Ok(new HealthResponse("ready"))
            : TypedResults.Json(new HealthResponse(report.Entries.Values.FirstOrDefault().Description ?? "not ready"), PushJsonContext.Default.HealthResponse,
                statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
