using Microsoft.AspNetCore.Http.Features;
using SkubberPush.Apps;
using SkubberPush.Auth;

namespace SkubberPush.Endpoints;

/// <summary>
/// What <see cref="AppAuthFilter"/> leaves for the handlers: the authenticated app, the raw body
/// (read once, bounded, because the signature covers its exact bytes) and the normalized query.
/// </summary>
public sealed record ApiRequest(PushApp App, byte[] Body, QueryParameters Query);

public static class ApiRequestExtensions
{
    public static ApiRequest GetApiRequest(this HttpContext context) => context.Features.GetRequiredFeature<ApiRequest>();
}
