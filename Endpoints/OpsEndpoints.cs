using SkubberPush.Json.Rest;

namespace SkubberPush.Endpoints;

/// <summary>Liveness, and the JSON 404 for every route that does not exist.</summary>
public static class OpsEndpoints
{
    public static IEndpointRouteBuilder MapOpsEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health", () => TypedResults.Ok(new HealthResponse("ok")))
            .WithName("Health")
            .WithSummary("200 while the process serves")
            .WithTags("Operations");
        routes.MapFallback(() => new ApiError(StatusCodes.Status404NotFound, "Not found").ToResult())
            .ExcludeFromDescription();
        return routes;
    }
}
