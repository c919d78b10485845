namespace SkubberPush.Auth;

public sealed record IssuedToken(string Token, DateTimeOffset ExpiresAt, int ExpiresIn);
