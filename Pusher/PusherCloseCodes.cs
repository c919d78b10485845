namespace SkubberPush.Pusher;

/// <summary>
/// Pusher's close and error codes (pusher-compat §4.5). 40xx: the client must not retry unchanged;
/// 41xx: retry after a backoff; 42xx: retry at once. 43xx are only ever sent inside pusher:error,
/// never as a close code: pusher-js would stay disconnected.
/// </summary>
public static class PusherCloseCodes
{
    public const int AppDoesNotExist = 4001;
    public const int AppDisabled = 4003;
    public const int OverConnectionQuota = 4004;
    public const int PathNotFound = 4005;
    public const int UnsupportedProtocol = 4007;
    public const int Unauthorized = 4009;
    public const int OverCapacity = 4100;
    public const int Reconnect = 4200;
    public const int PongNotReceived = 4201;
    public const int ClientEventRejected = 4301;
}
