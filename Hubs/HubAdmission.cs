using SkubberPush.Apps;
using SkubberPush.Auth;
using SkubberPush.Channels;
using SkubberPush.Hosting;

namespace SkubberPush.Hubs;

/// <summary>
/// Who may open a hub connection, however it arrives (the HTTP pipeline's <see cref="HubTokenMiddleware"/>
/// or the socket takeover's <see cref="HubSockets"/>): the token from <c>access_token</c> or
/// <c>Authorization: Bearer</c> must be valid. A token with <c>sub</c> fixes the user, and a different
/// <c>userId</c> in the query is refused; without <c>sub</c> the query's <c>userId</c> names the user, unverified.
/// </summary>
public sealed class HubAdmission(TokenService tokens, AppCatalog catalog, ChannelRegistry registry, ServerState state)
{
    public sealed record Refusal(int Status, string Message);

    /// <summary>The connection's identity, or why it is refused (an HTTP status and message).</summary>
    public async ValueTask<(HubIdentity? Identity, Refusal? Refusal)> AdmitAsync(string accessToken, string? authorization, string queryUser)
    {
        if (state.Draining)
            return (null, new Refusal(StatusCodes.Status503ServiceUnavailable, "Server shutting down; reconnect"));
        var token = accessToken;
        if (token.Length == 0 && authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            token = authorization["Bearer ".Length..].Trim();
        var (identity, error) = await tokens.ValidateAsync(token);
        if (identity is null)
            return (null, new Refusal(StatusCodes.Status401Unauthorized, error!));
        if (queryUser.Length > 0)
        {
            if (identity.UserVerified && queryUser != identity.UserId)
                return (null, new Refusal(StatusCodes.Status401Unauthorized, "userId does not match the token's sub"));
            if (queryUser.Length > PresenceChannelData.MaxUserIdLength)
                return (null, new Refusal(StatusCodes.Status400BadRequest, $"userId is longer than {PresenceChannelData.MaxUserIdLength} characters"));
            identity = identity with { UserId = queryUser };
        }
        if (catalog.TryGetById(identity.AppId, out var app) && app.Limits.MaxConnections > 0
            && registry.For(app.Id).ConnectionCount >= app.Limits.MaxConnections)
            return (null, new Refusal(StatusCodes.Status429TooManyRequests, "4004: the app is over its connection quota"));
        return (identity, null);
    }
}
