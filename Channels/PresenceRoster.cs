using System.Text.Json;
using SkubberPush.Json;
using SkubberPush.Json.Wire;

namespace SkubberPush.Channels;

/// <summary>
/// The distinct users of one presence channel with a connection count each, so that tabs of one
/// user count once and member_added / member_removed fire on the first and last connection only.
/// Guarded by the channel's gate.
/// </summary>
internal sealed class PresenceRoster
{
    private readonly Dictionary<string, Entry> _members = new(StringComparer.Ordinal);

    public int Count => _members.Count;

    public bool Contains(string userId) => _members.ContainsKey(userId);

    /// <summary>Returns true when this is the user's first connection in the channel.</summary>
    public bool Add(PresenceMember member)
    {
        if (_members.TryGetValue(member.UserId, out var entry))
        {
            // The first connection's user_info is kept while the user stays (pusher-compat §9.13).
            _members[member.UserId] = entry with { Connections = entry.Connections + 1 };
            return false;
        }
        _members[member.UserId] = new Entry(member, 1);
        return true;
    }

    /// <summary>Returns true when that was the user's last connection in the channel.</summary>
    public bool Remove(string userId)
    {
        if (!_members.TryGetValue(userId, out var entry))
            return false;
        if (entry.Connections > 1)
        {
            _members[userId] = entry with { Connections = entry.Connections - 1 };
            return false;
        }
        _members.Remove(userId);
        return true;
    }

    public string[] UserIds() => [.. _members.Keys];

    /// <summary>The <c>subscription_succeeded</c> data: ids, hash (null info kept as a key) and count.</summary>
    public string SerializeRoster()
    {
        var hash = new Dictionary<string, JsonElement?>(_members.Count, StringComparer.Ordinal);
        foreach (var (id, entry) in _members)
            hash[id] = entry.Member.UserInfo;
        var roster = new PresenceRosterData(new PresenceRosterBody([.. _members.Keys], hash, _members.Count));
        return JsonSerializer.Serialize(roster, PushJsonContext.Wire.PresenceRosterData);
    }

    private readonly record struct Entry(PresenceMember Member, int Connections);
}
