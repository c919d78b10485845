using Microsoft.AspNetCore.Http.HttpResults;
using SkubberPush.Channels;
using SkubberPush.Json.Rest;

namespace SkubberPush.Endpoints;

/// <summary><c>POST /apps/{appId}/users/{userId}/terminate_connections</c>.</summary>
public static class UsersEndpoints
{
    public static RouteGroupBuilder MapUsersEndpoints(this RouteGroupBuilder apps)
    {
        apps.MapPost("/users/{userId}/terminate_connections", TerminateAsync)
            .WithName("TerminateUserConnections")
            .WithSummary("Close every connection signed in as the user, on every node");
        return apps;
    }

    private static async Task<Ok<EmptyResponse>> TerminateAsync(string userId, HttpContext http, IBroker broker)
    {
        await broker.TerminateUserAsync(http.GetApiRequest().App.Id, userId, http.RequestAborted);
        return TypedResults.Ok(new EmptyResponse());
    }
}
