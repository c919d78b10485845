namespace SkubberPush.Endpoints;

/// <summary>The <c>info</c> parameter: a comma-separated list; unknown names are ignored (pusher-compat §9.5).</summary>
public readonly record struct InfoAttributes(bool UserCount, bool SubscriptionCount, bool Cache)
{
    public bool Any => UserCount || SubscriptionCount || Cache;

    public static InfoAttributes Parse(string? info)
    {
        var result = default(InfoAttributes);
        if (string.IsNullOrEmpty(info))
            return result;
        foreach (var part in info.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            result = part switch
            {
                "user_count" => result with { UserCount = true },
                "subscription_count" => result with { SubscriptionCount = true },
                "cache" => result with { Cache = true },
                _ => result,
            };
        }
        return result;
    }
}
