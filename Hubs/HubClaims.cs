using System.Security.Claims;
using System.Text.Json;
using SkubberPush.Auth;

namespace SkubberPush.Hubs;

/// <summary>
/// Carries a validated <see cref="HubIdentity"/> as the connection's <see cref="ClaimsPrincipal"/>:
/// SignalR keeps the user for the connection's whole life on every transport (long polling and
/// SSE included), which request features would not survive.
/// </summary>
public static class HubClaims
{
    private const string AuthenticationType = "skubber-token";
    private const string App = "skubber:app";
    private const string User = "sub";
    private const string Verified = "skubber:user_verified";
    private const string UserInfo = "skubber:user_info";
    private const string Channel = "skubber:channel";

    public static ClaimsPrincipal ToPrincipal(HubIdentity identity)
    {
        var claims = new List<Claim> { new(App, identity.AppId), new(Verified, identity.UserVerified ? "true" : "false") };
        if (identity.UserId is not null)
            claims.Add(new Claim(User, identity.UserId));
        if (identity.UserInfo is { } info)
            claims.Add(new Claim(UserInfo, info.GetRawText()));
        foreach (var channel in identity.Channels)
            claims.Add(new Claim(Channel, channel));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, AuthenticationType, User, null));
    }

    public static HubIdentity? FromPrincipal(ClaimsPrincipal? principal)
    {
        if (principal?.FindFirst(App)?.Value is not { } appId)
            return null;
        JsonElement? info = null;
        if (principal.FindFirst(UserInfo)?.Value is { } raw)
        {
            using var document = JsonDocument.Parse(raw);
            info = document.RootElement.Clone();
        }
        return new HubIdentity(appId, principal.FindFirst(User)?.Value, principal.FindFirst(Verified)?.Value == "true", info,
            [.. principal.FindAll(Channel).Select(c => c.Value)]);
    }
}
