namespace SkubberPush.Hosting;

/// <summary>
/// The short environment names and switches of the contract, mapped onto the <c>Skubber</c>
/// section; the long forms (<c>Skubber__DataDir</c>) work as in any ASP.NET Core app.
/// </summary>
public static class SkubberConfiguration
{
    private static readonly (string Variable, string Key)[] ShortEnvironmentNames =
    [
        ("SKUBBER_DATA_DIR", "Skubber:DataDir"),
        ("SKUBBER_APP_ID", "Skubber:DefaultApp:Id"),
        ("SKUBBER_APP_KEY", "Skubber:DefaultApp:Key"),
        ("SKUBBER_APP_SECRET", "Skubber:DefaultApp:Secret"),
        ("SKUBBER_APP_NAME", "Skubber:DefaultApp:Name"),
    ];

    /// <summary>Adds the short names; later sources win, so the command line stays strongest.</summary>
    public static IConfigurationBuilder AddSkubberShortNames(this IConfigurationBuilder builder, string[] args)
    {
        var values = new Dictionary<string, string?>();
        foreach (var (variable, key) in ShortEnvironmentNames)
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value)
                values[key] = value;
        builder.AddInMemoryCollection(values);
        var dataDir = DataDirArgument(args);
        if (dataDir is not null)
            builder.AddInMemoryCollection([KeyValuePair.Create<string, string?>("Skubber:DataDir", dataDir)]);
        return builder;
    }

    /// <summary><c>--data-dir DIR</c> or <c>--data-dir=DIR</c> anywhere on the command line.</summary>
    public static string? DataDirArgument(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--data-dir" && i + 1 < args.Length)
                return args[i + 1];
            if (args[i].StartsWith("--data-dir=", StringComparison.Ordinal))
                return args[i]["--data-dir=".Length..];
        }
        return null;
    }
}
