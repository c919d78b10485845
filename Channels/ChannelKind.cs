namespace SkubberPush.Channels;

public enum ChannelKind
{
    Public,
    Private,
    /// <summary><c>private-encrypted-</c>: authorized like private; data is relayed untouched.</summary>
    PrivateEncrypted,
    Presence,
    /// <summary><c>#server-to-user-{id}</c>: routed to the connections signed in as that user.</summary>
    ServerToUser,
}
