using System.Text.Json;

namespace SkubberPush.Auth;

/// <summary>
/// Who a hub connection is, from its validated token: the app, the user (verified when it came from
/// the token's <c>sub</c>, not from the query's <c>userId</c>), its <c>user_info</c>, and the
/// channels the token grants.
/// </summary>
public sealed record HubIdentity(string AppId, string? UserId, bool UserVerified, JsonElement? UserInfo, string[] Channels);
