using System.Globalization;
using Microsoft.Data.Sqlite;

namespace SkubberPush.Apps;

/// <summary>
/// The apps in <c>DATA_DIR/skubber.db</c>: SQLite in WAL mode, so the CLI can write while the
/// server reads; the file is created 0600 (SQLite gives its -wal and -shm files the same mode).
/// Hand-written SQL; the schema version lives in <c>PRAGMA user_version</c>.
/// </summary>
public sealed class AppStore
{
    public const string FileName = "skubber.db";

    // Each entry moves the schema one version up; never edit one that has shipped.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE apps (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE,
            secret TEXT NOT NULL,
            enabled INTEGER NOT NULL DEFAULT 1,
            created_at INTEGER NOT NULL,
            max_connections INTEGER NOT NULL DEFAULT 0,
            max_event_payload_bytes INTEGER NOT NULL DEFAULT 10240,
            max_channels_per_trigger INTEGER NOT NULL DEFAULT 100,
            max_batch_size INTEGER NOT NULL DEFAULT 10,
            max_presence_members INTEGER NOT NULL DEFAULT 100,
            client_events_enabled INTEGER NOT NULL DEFAULT 1
        );
        """,
        "ALTER TABLE apps ADD COLUMN client_events_per_second INTEGER NOT NULL DEFAULT 10;",
        """
        ALTER TABLE apps ADD COLUMN webhook_url TEXT;
        ALTER TABLE apps ADD COLUMN webhook_events TEXT;
        ALTER TABLE apps ADD COLUMN max_user_info_bytes INTEGER NOT NULL DEFAULT 1024;
        ALTER TABLE apps ADD COLUMN max_triggers_per_second INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE apps ADD COLUMN max_messages_per_day INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE webhook_outbox (
            id TEXT PRIMARY KEY NOT NULL,
            app_id TEXT NOT NULL,
            url TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            next_attempt_at INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'pending',
            last_status INTEGER,
            last_error TEXT,
            last_latency_ms INTEGER,
            completed_at INTEGER
        );
        CREATE INDEX webhook_outbox_due ON webhook_outbox (status, next_attempt_at);
        CREATE INDEX webhook_outbox_app ON webhook_outbox (app_id, created_at);
        CREATE TABLE app_usage (
            app_id TEXT NOT NULL,
            day TEXT NOT NULL,
            messages INTEGER NOT NULL,
            PRIMARY KEY (app_id, day)
        );
        """,
    ];

    private const string Columns =
        "id, name, key, secret, enabled, created_at, max_connections, max_event_payload_bytes, " +
        "max_channels_per_trigger, max_batch_size, max_presence_members, client_events_enabled, client_events_per_second, " +
        "webhook_url, webhook_events, max_user_info_bytes, max_triggers_per_second, max_messages_per_day";

    private readonly string _connectionString;

    public AppStore(string dataDirectory)
    {
        var directory = Path.GetFullPath(dataDirectory);
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
                Directory.CreateDirectory(directory);
            else
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        DatabasePath = Path.Combine(directory, FileName);
        if (!File.Exists(DatabasePath))
            CreatePrivateFile(DatabasePath);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = true }.ToString();
        Migrate();
    }

    public string DatabasePath { get; }

    public static int SchemaVersion => Migrations.Length;

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>One statement on a pooled connection; parameters as <c>("$name", value)</c> pairs.</summary>
    public int Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open();
        using var command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    public object? Scalar(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open();
        using var command = Command(connection, sql, parameters);
        return command.ExecuteScalar();
    }

    public static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        return command;
    }

    public List<PushApp> List()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM apps ORDER BY created_at, id";
        using var reader = command.ExecuteReader();
        var apps = new List<PushApp>();
        while (reader.Read())
            apps.Add(Read(reader));
        return apps;
    }

    public PushApp? Get(string id)
    {
        using var connection = Open();
        using var command = Command(connection, $"SELECT {Columns} FROM apps WHERE id = $id", ("$id", id));
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    public void Insert(PushApp app) => Write(app, $"INSERT INTO apps ({Columns}) VALUES ($id, $name, $key, $secret, $enabled, $created_at, " +
        "$max_connections, $max_event_payload_bytes, $max_channels_per_trigger, $max_batch_size, $max_presence_members, $client_events_enabled, $client_events_per_second, " +
        "$webhook_url, $webhook_events, $max_user_info_bytes, $max_triggers_per_second, $max_messages_per_day)");

    /// <summary>Rewrites every column of an existing app; false when the id is unknown.</summary>
    public bool Update(PushApp app) => Write(app, "UPDATE apps SET name = $name, key = $key, secret = $secret, enabled = $enabled, " +
        "created_at = $created_at, max_connections = $max_connections, max_event_payload_bytes = $max_event_payload_bytes, " +
        "max_channels_per_trigger = $max_channels_per_trigger, max_batch_size = $max_batch_size, " +
        "max_presence_members = $max_presence_members, client_events_enabled = $client_events_enabled, " +
        "client_events_per_second = $client_events_per_second, webhook_url = $webhook_url, webhook_events = $webhook_events, " +
        "max_user_info_bytes = $max_user_info_bytes, max_triggers_per_second = $max_triggers_per_second, " +
        "max_messages_per_day = $max_messages_per_day WHERE id = $id") > 0;

    public bool Delete(string id) => Execute("DELETE FROM apps WHERE id = $id", ("$id", id)) > 0;

    private int Write(PushApp app, string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var p = command.Parameters;
        p.AddWithValue("$id", app.Id);
        p.AddWithValue("$name", app.Name);
        p.AddWithValue("$key", app.Key);
        p.AddWithValue("$secret", app.Secret);
        p.AddWithValue("$enabled", app.Enabled ? 1 : 0);
        p.AddWithValue("$created_at", app.CreatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$max_connections", app.Limits.MaxConnections);
        p.AddWithValue("$max_event_payload_bytes", app.Limits.MaxEventPayloadBytes);
        p.AddWithValue("$max_channels_per_trigger", app.Limits.MaxChannelsPerTrigger);
        p.AddWithValue("$max_batch_size", app.Limits.MaxBatchSize);
        p.AddWithValue("$max_presence_members", app.Limits.MaxPresenceMembers);
        p.AddWithValue("$client_events_enabled", app.Limits.ClientEventsEnabled ? 1 : 0);
        p.AddWithValue("$client_events_per_second", app.Limits.ClientEventsPerSecond);
        p.AddWithValue("$webhook_url", (object?)app.Webhook?.Url ?? DBNull.Value);
        p.AddWithValue("$webhook_events", app.Webhook?.Events is { } events ? string.Join(',', events) : DBNull.Value);
        p.AddWithValue("$max_user_info_bytes", app.Limits.MaxUserInfoBytes);
        p.AddWithValue("$max_triggers_per_second", app.Limits.MaxTriggersPerSecond);
        p.AddWithValue("$max_messages_per_day", app.Limits.MaxMessagesPerDay);
        try
        {
            return command.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19) // SQLITE_CONSTRAINT
        {
            throw new AppStoreException(e.Message.Contains("apps.key", StringComparison.Ordinal)
                ? $"An app with key '{app.Key}' already exists"
                : $"An app with id '{app.Id}' already exists");
        }
    }

    private static PushApp Read(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        Name = r.GetString(1),
        Key = r.GetString(2),
        Secret = r.GetString(3),
        Enabled = r.GetInt64(4) != 0,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)),
        Limits = new AppLimits
        {
            MaxConnections = r.GetInt32(6),
            MaxEventPayloadBytes = r.GetInt32(7),
            MaxChannelsPerTrigger = r.GetInt32(8),
            MaxBatchSize = r.GetInt32(9),
            MaxPresenceMembers = r.GetInt32(10),
            ClientEventsEnabled = r.GetInt64(11) != 0,
            ClientEventsPerSecond = r.GetInt32(12),
            MaxUserInfoBytes = r.GetInt32(15),
            MaxTriggersPerSecond = r.GetInt32(16),
            MaxMessagesPerDay = r.GetInt64(17),
        },
        Webhook = r.IsDBNull(13) ? null : new WebhookSettings(r.GetString(13), r.IsDBNull(14) ? null : r.GetString(14).Split(',')),
    };

    // Two processes may start at once (server and CLI): BEGIN IMMEDIATE makes the second wait,
    // then it sees the new user_version and applies nothing.
    private void Migrate()
    {
        using var connection = Open();
        Run(connection, "PRAGMA journal_mode = WAL");
        Run(connection, "BEGIN IMMEDIATE");
        try
        {
            var version = Convert.ToInt32(Command(connection, "PRAGMA user_version").ExecuteScalar(), CultureInfo.InvariantCulture);
            if (version > Migrations.Length)
                throw new AppStoreException($"{DatabasePath} has schema version {version}; this build knows up to {Migrations.Length}. Use a newer skubber-push.");
            for (var v = version; v < Migrations.Length; v++)
            {
                Run(connection, Migrations[v]);
                Run(connection, $"PRAGMA user_version = {v + 1}");
            }
            Run(connection, "COMMIT");
        }
        catch
        {
            Run(connection, "ROLLBACK");
            throw;
        }
    }

    private static void CreatePrivateFile(string path)
    {
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var _ = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first; its mode is already 0600.
        }
    }

    private static void Run(SqliteConnection connection, string sql)
    {
        using var command = Command(connection, sql);
        command.ExecuteNonQuery();
    }
}
