using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SkubberPush.Apps;

namespace SkubberPush.Auth;

/// <summary>
/// The hub's short-lived JWTs: HS256 signed with the app secret, header <c>kid</c> = the app key,
/// claims <c>sub</c>, <c>user_info</c>, <c>channels</c>, <c>iat</c>, <c>exp</c>. Anyone holding the
/// secret (the app's backend) can mint the same token; rotating the secret invalidates them all.
/// </summary>
public sealed class TokenService(AppCatalog catalog, TimeProvider time)
{
    /// <summary>RFC 7518 §3.2: an HS256 key must be at least as long as the hash (256 bits).</summary>
    public const int MinSecretBytes = 32;
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(24);
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public static bool CanSign(PushApp app) => Encoding.UTF8.GetByteCount(app.Secret) >= MinSecretBytes;

    public IssuedToken Issue(PushApp app, string? userId, JsonElement? userInfo, string[]? channels, TimeSpan lifetime)
    {
        var now = time.GetUtcNow();
        var expires = now + lifetime;
        var claims = new Dictionary<string, object>(StringComparer.Ordinal);
        if (userId is not null)
            claims[JwtRegisteredClaimNames.Sub] = userId;
        if (userInfo is { } info)
            claims["user_info"] = info;
        if (channels is not null)
            claims["channels"] = channels;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            IssuedAt = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(SigningKey(app), SecurityAlgorithms.HmacSha256),
        });
        return new IssuedToken(token, DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds()), (int)lifetime.TotalSeconds);
    }

    /// <summary>Validates a token; null with the reason when it is missing, malformed, expired or wrongly signed.</summary>
    public async Task<(HubIdentity? Identity, string? Error)> ValidateAsync(string? token)
    {
        if (string.IsNullOrEmpty(token))
            return (null, "Missing access token");
        if (!_handler.CanReadToken(token))
            return (null, "Malformed access token");
        PushApp? app = null;
        var parameters = new TokenValidationParameters
        {
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuer = false,
            ValidateAudience = false,
            RequireExpirationTime = true,
            ClockSkew = ClockSkew,
            // The key is the secret of the app the token names by kid, as it is now.
            IssuerSigningKeyResolver = (_, _, kid, _) =>
                kid is not null && catalog.TryGetByKey(kid, out var found) && CanSign(found) ? [SigningKey(app = found)] : [],
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return expires is { } e && now <= e + ClockSkew && (notBefore is not { } nb || nb <= now + ClockSkew);
            },
        };
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid || app is null || result.SecurityToken is not JsonWebToken jwt)
            return (null, result.Exception switch
            {
                SecurityTokenInvalidLifetimeException or SecurityTokenExpiredException => "Access token expired",
                SecurityTokenSignatureKeyNotFoundException => "Access token names no known app key (kid)",
                SecurityTokenInvalidAlgorithmException => "Access token must be signed with HS256",
                _ => "Invalid access token signature",
            });
        if (!app.Enabled)
            return (null, $"App '{app.Id}' is disabled");
        jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var sub);
        JsonElement? userInfo = jwt.TryGetPayloadValue<JsonElement>("user_info", out var info) ? info : null;
        var channels = jwt.TryGetPayloadValue<string[]>("channels", out var granted) ? granted : [];
        return (new HubIdentity(app.Id, sub, sub is not null, userInfo, channels ?? []), null);
    }

    private static SymmetricSecurityKey SigningKey(PushApp app) => new(Encoding.UTF8.GetBytes(app.Secret)) { KeyId = app.Key };
}
