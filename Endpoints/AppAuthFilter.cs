using System.Text;
using Microsoft.AspNetCore.Http.Features;
using SkubberPush.Apps;
using SkubberPush.Auth;

namespace SkubberPush.Endpoints;

/// <summary>
/// Authenticates every <c>/apps/{appId}</c> request in Pusher's check order: app lookup (404), body
/// within the app's limit (413), credentials (401), app enabled (403). Credentials are any one of
/// the <c>X-Api-Key</c>/<c>X-Api-Secret</c> headers, the <c>apiKey</c>/<c>apiSecret</c> query
/// parameters, or Pusher request signing.
/// </summary>
internal sealed class AppAuthFilter(AppCatalog catalog, TimeProvider time) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var appId = http.GetRouteValue("appId") as string ?? "";
        if (!catalog.TryGetById(appId, out var app))
            return new ApiError(StatusCodes.Status404NotFound, $"Unknown app id '{appId}'").ToResult();

        var body = await BoundedBody.ReadAsync(http, app.Limits.MaxRequestBodyBytes);
        if (body is null)
            return new ApiError(StatusCodes.Status413PayloadTooLarge, $"Request body too large: at most {app.Limits.MaxRequestBodyBytes} bytes for this app").ToResult();

        var query = QueryParameters.Parse(http.Request.QueryString.Value);
        if (Authenticate(http.Request, app, query, body) is { } failure)
            return new ApiError(StatusCodes.Status401Unauthorized, failure).ToResult();
        if (!app.Enabled)
            return new ApiError(StatusCodes.Status403Forbidden, $"App '{app.Id}' is disabled").ToResult();

        http.Features.Set(new ApiRequest(app, body, query));
        return await next(context);
    }

    private string? Authenticate(HttpRequest request, PushApp app, QueryParameters query, byte[] body)
    {
        string? key = request.Headers["X-Api-Key"], secret = request.Headers["X-Api-Secret"];
        if (key is null && secret is null)
            (key, secret) = (query["apikey"], query["apisecret"]);
        if (key is not null || secret is not null)
        {
            if (key != app.Key)
                return key is null ? "Missing X-Api-Key" : $"Unknown API key for app '{app.Id}'";
            return PusherSignature.SecretsEqual(app.Secret, secret) ? null : "Wrong API secret";
        }
        if (query["auth_signature"] is null)
            return "Missing credentials: send X-Api-Key and X-Api-Secret headers, or sign the request as Pusher does (auth_key, auth_timestamp, auth_version, auth_signature)";
        return RequestSignature.Check(app.Key, Encoding.UTF8.GetBytes(app.Secret), request.Method, SignedPath(request), query, body, time.GetUtcNow());
    }

    // The client signed the path as it sent it; RawTarget keeps it verbatim (Path is unescaped).
    private static string SignedPath(HttpRequest request)
    {
        var raw = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (raw is { Length: > 0 } && raw[0] == '/')
        {
            var question = raw.IndexOf('?');
            return question < 0 ? raw : raw[..question];
        }
        return request.PathBase.Add(request.Path).Value ?? "";
    }
}
