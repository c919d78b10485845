using static System.StringComparison;

namespace SkubberPush.Channels;

/// <summary>A validated channel name, classified once (pusher-compat §5.1).</summary>
public readonly record struct ChannelName(string Value, ChannelKind Kind, bool IsCache)
{
    public const int MaxLength = 164;
    public const string ServerToUserPrefix = "#server-to-user-";

    public bool IsPresence => Kind == ChannelKind.Presence;
    public bool RequiresAuthorization => Kind is ChannelKind.Private or ChannelKind.PrivateEncrypted or ChannelKind.Presence;
    /// <summary>Client events are relayed on private, encrypted and presence channels only.</summary>
    public bool AllowsClientEvents => RequiresAuthorization;

    /// <summary>The user a <c>#server-to-user-</c> channel belongs to.</summary>
    public string ServerToUserId => Value[ServerToUserPrefix.Length..];

    public static bool TryParse(string? name, out ChannelName channel, out string error)
    {
        channel = default;
        if (string.IsNullOrEmpty(name))
        {
            error = "Channel name must not be empty";
            return false;
        }
        if (name.Length > MaxLength)
        {
            error = $"Channel name too long: {name.Length} characters, at most {MaxLength}";
            return false;
        }
        var body = name.AsSpan();
        if (name[0] == '#')
        {
            if (!name.StartsWith(ServerToUserPrefix, Ordinal) || name.Length == ServerToUserPrefix.Length)
            {
                error = $"Invalid channel name '{name}': only #server-to-user-{{id}} may start with #";
                return false;
            }
            body = body[ServerToUserPrefix.Length..];
        }
        if (body.IndexOfAnyExcept(AllowedCharacters) >= 0)
        {
            error = $"Invalid channel name '{name}': allowed characters are A-Z a-z 0-9 _ - = @ , . ;";
            return false;
        }
        channel = Classify(name);
        error = "";
        return true;
    }

    // Most specific prefix first: "private-encrypted-" also starts with "private-".
    private static ChannelName Classify(string name) => name switch
    {
        _ when name.StartsWith(ServerToUserPrefix, Ordinal) => new(name, ChannelKind.ServerToUser, false),
        _ when name.StartsWith("presence-", Ordinal) => new(name, ChannelKind.Presence, CacheAfter(name, 9)),
        _ when name.StartsWith("private-encrypted-", Ordinal) => new(name, ChannelKind.PrivateEncrypted, CacheAfter(name, 18)),
        _ when name.StartsWith("private-", Ordinal) => new(name, ChannelKind.Private, CacheAfter(name, 8)),
        _ => new(name, ChannelKind.Public, CacheAfter(name, 0)),
    };

    private static bool CacheAfter(string name, int prefixLength) => name.AsSpan(prefixLength).StartsWith("cache-", Ordinal);

    private static readonly System.Buffers.SearchValues<char> AllowedCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-=@,.;");

    public override string ToString() => Value;
}
