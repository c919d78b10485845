using static System.StringComparison;

namespace SkubberPush.Channels;

/// <summary>
/// Event names: 1–200 characters with no character-class rule (Laravel publishes
/// <c>App\Events\OrderShipped</c>), but the <c>pusher:</c> prefixes are the server's own.
/// </summary>
public static class EventName
{
    public const int MaxLength = 200;
    public const string ClientPrefix = "client-";

    public static bool IsReserved(string name) =>
        name.StartsWith("pusher:", Ordinal) || name.StartsWith("pusher_internal:", Ordinal);

    public static bool IsClientEvent(string name) => name.StartsWith(ClientPrefix, Ordinal);

    public static bool TryValidate(string? name, out string error)
    {
        error = name switch
        {
            null or "" => "Event name must not be empty",
            { Length: > MaxLength } => $"Event name too long: {name.Length} characters, at most {MaxLength}",
            _ when IsReserved(name) => $"Event name '{name}' uses a reserved prefix (pusher: or pusher_internal:)",
            _ => "",
        };
        return error.Length == 0;
    }
}
