using SkubberPush.Apps;
using SkubberPush.Auth;
using SkubberPush.Channels;
using SkubberPush.Endpoints;
using SkubberPush.Hosting;

namespace SkubberPush.Hubs;

/// <summary>
/// Guards <c>/push</c> (negotiate and connect): the token from <c>access_token</c> or
/// <c>Authorization: Bearer</c> must be valid, or the request gets 401 before any connection
/// exists. A token with <c>sub</c> fixes the user, and a different <c>userId</c> in the query is
/// refused; without <c>sub</c> the query's <c>userId</c> names the user, unverified.
/// </summary>
public sealed class HubTokenMiddleware(RequestDelegate next, TokenService tokens, AppCatalog catalog, ChannelRegistry registry, ServerState state)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (!http.Request.Path.StartsWithSegments(PushHub.Path) || HttpMethods.IsOptions(http.Request.Method))
        {
            await next(http);
            return;
        }
        if (state.Draining)
        {
            http.Response.Headers.RetryAfter = "1";
            await Refuse(http, StatusCodes.Status503ServiceUnavailable, "Server shutting down; reconnect");
            return;
        }
        var token = http.Request.Query["access_token"].ToString();
        if (token.Length == 0 && http.Request.Headers.Authorization.ToString() is { } header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            token = header["Bearer ".Length..].Trim();
        var (identity, error) = await tokens.ValidateAsync(token);
        if (identity is null)
        {
            await Refuse(http, StatusCodes.Status401Unauthorized, error!);
            return;
        }
        var queryUser = http.Request.Query["userId"].ToString();
        if (queryUser.Length > 0)
        {
            if (identity.UserVerified && queryUser != identity.UserId)
            {
                await Refuse(http, StatusCodes.Status401Unauthorized, "userId does not match the token's sub");
                return;
            }
            if (queryUser.Length > PresenceChannelData.MaxUserIdLength)
            {
                await Refuse(http, StatusCodes.Status400BadRequest, $"userId is longer than {PresenceChannelData.MaxUserIdLength} characters");
                return;
            }
            identity = identity with { UserId = queryUser };
        }
        if (catalog.TryGetById(identity.AppId, out var app) && app.Limits.MaxConnections > 0
            && registry.For(app.Id).ConnectionCount >= app.Limits.MaxConnections)
        {
            await Refuse(http, StatusCodes.Status429TooManyRequests, "4004: the app is over its connection quota");
            return;
        }
        http.User = HubClaims.ToPrincipal(identity);
        await next(http);
    }

    private static Task Refuse(HttpContext http, int status, string message) =>
        new ApiError(status, message).ToResult().ExecuteAsync(http);
}
