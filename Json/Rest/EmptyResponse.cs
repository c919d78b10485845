namespace SkubberPush.Json.Rest;

/// <summary>Pusher's minimal success body, <c>{}</c>: SDKs reject an empty 200.</summary>
public sealed record EmptyResponse;
