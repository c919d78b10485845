using SkubberPush.Json.Rest;

namespace SkubberPush.Endpoints;

/// <summary>The Pusher HTTP API under <c>/apps/{appId}</c>: one group, authenticated once.</summary>
public static class RestApi
{
    public static RouteGroupBuilder MapRestApi(this IEndpointRouteBuilder routes)
    {
        var apps = routes.MapGroup("/apps/{appId}")
            .AddEndpointFilter<AppAuthFilter>()
            .WithTags("Pusher HTTP API")
            .WithMetadata(
                Error(StatusCodes.Status400BadRequest), Error(StatusCodes.Status401Unauthorized),
                Error(StatusCodes.Status403Forbidden), Error(StatusCodes.Status404NotFound));
        apps.MapEventsEndpoints();
        apps.MapChannelsEndpoints();
        apps.MapUsersEndpoints();
        return apps;
    }

    private static ProducesResponseTypeMetadata Error(int status) => new(status, typeof(ErrorBody), ["application/json"]);
}
