using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using SkubberPush.Apps;
using SkubberPush.Auth;
using SkubberPush.Channels;
using SkubberPush.Json;
using SkubberPush.Json.Rest;

namespace SkubberPush.Endpoints;

/// <summary>
/// <c>POST /api/auth/signalr-token</c>: a backend trades its app key and secret for a short-lived
/// JWT that its browser or phone client presents to the hub. The secret never leaves the backend.
/// </summary>
public static class TokenEndpoints
{
    public const string CorsPolicy = "skubber-clients";
    private const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapTokenEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/auth/signalr-token", IssueAsync)
            .WithName("IssueSignalRToken")
            .WithSummary("Exchange the app key and secret for a hub access token (JWT, HS256)")
            .WithTags("SignalR")
            .DocumentsJsonBody<TokenRequest>()
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest)
            .Produces<ErrorBody>(StatusCodes.Status401Unauthorized)
            .Produces<ErrorBody>(StatusCodes.Status403Forbidden)
            .RequireCors(CorsPolicy);
        return routes;
    }

    private static async Task<Results<Ok<TokenResponse>, JsonHttpResult<ErrorBody>>> IssueAsync(HttpContext http, AppCatalog catalog, TokenService tokens)
    {
        var body = await BoundedBody.ReadAsync(http, MaxBodyBytes);
        if (body is null)
            return new ApiError(StatusCodes.Status413PayloadTooLarge, $"Request body too large: at most {MaxBodyBytes} bytes").ToResult();
        var request = RequestBody.Parse(body, PushJsonContext.Default.TokenRequest, out var parseError);
        if (parseError is not null)
            return parseError.ToResult();

        if (request!.ApiKey is null || !catalog.TryGetByKey(request.ApiKey, out var app) || !PusherSignature.SecretsEqual(app.Secret, request.ApiSecret))
            return new ApiError(StatusCodes.Status401Unauthorized, "Wrong apiKey or apiSecret").ToResult();
        if (!app.Enabled)
            return new ApiError(StatusCodes.Status403Forbidden, $"App '{app.Id}' is disabled").ToResult();
        if (!TokenService.CanSign(app))
            return ApiError.BadRequest($"The app secret is shorter than {TokenService.MinSecretBytes} bytes, too short for HS256 tokens; rotate it with `skubber-push apps rotate-secret {app.Id}`").ToResult();
        if (Check(request, app.Limits.MaxUserInfoBytes) is { } invalid)
            return invalid.ToResult();

        var lifetime = request.ExpiresIn is { } seconds ? TimeSpan.FromSeconds(seconds) : TokenService.DefaultLifetime;
        var issued = tokens.Issue(app, request.UserId, request.UserInfo, request.Channels, lifetime);
        return TypedResults.Ok(new TokenResponse(issued.Token, issued.ExpiresAt, issued.ExpiresIn));
    }

    private static ApiError? Check(TokenRequest request, int maxUserInfoBytes)
    {
        if (request.ExpiresIn is <= 0 || request.ExpiresIn > TokenService.MaxLifetime.TotalSeconds)
            return ApiError.BadRequest($"expiresIn must be 1 to {(int)TokenService.MaxLifetime.TotalSeconds} seconds");
        if (request.UserId is { } userId && (userId.Length == 0 || userId.Length > PresenceChannelData.MaxUserIdLength))
            return ApiError.BadRequest($"userId must be 1 to {PresenceChannelData.MaxUserIdLength} characters");
        if (request.UserInfo is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
            return ApiError.BadRequest("userInfo must be a JSON object");
        if (request.UserInfo is { } info && PresenceChannelData.Check(request.UserId ?? "-", info, maxUserInfoBytes, out _) is { } tooBig)
            return ApiError.BadRequest(tooBig.Message);
        foreach (var channel in request.Channels ?? [])
        {
            var name = channel.EndsWith('*') ? channel[..^1] + "x" : channel; // a prefix pattern must lead to valid names
            if (!ChannelName.TryParse(name, out _, out var error))
                return ApiError.BadRequest($"channels: {error.Replace("'" + name + "'", "'" + channel + "'", StringComparison.Ordinal)}");
        }
        return null;
    }
}
