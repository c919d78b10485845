using SkubberPush.Endpoints;

namespace SkubberPush.Hubs;

/// <summary>
/// Guards <c>/push</c> on the HTTP pipeline (negotiate and connect): <see cref="HubAdmission"/>
/// must admit the request, or it gets its refusal before any connection exists.
/// </summary>
public sealed class HubTokenMiddleware(RequestDelegate next, HubAdmission admission)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (!http.Request.Path.StartsWithSegments(PushHub.Path) || HttpMethods.IsOptions(http.Request.Method))
        {
            await next(http);
            return;
        }
        var (identity, refusal) = await admission.AdmitAsync(http.Request.Query["access_token"].ToString(),
            http.Request.Headers.Authorization.ToString(), http.Request.Query["userId"].ToString());
        if (refusal is not null)
        {
            if (refusal.Status == StatusCodes.Status503ServiceUnavailable)
                http.Response.Headers.RetryAfter = "1";
            await new ApiError(refusal.Status, refusal.Message).ToResult().ExecuteAsync(http);
            return;
        }
        http.User = HubClaims.ToPrincipal(identity!);
        await next(http);
    }
}
