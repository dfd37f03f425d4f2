using System.Text.Json;
using System.Text.Json.Nodes;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins.Totp.Administration;

/// <summary>Typed reads of an admin operation's JSON arguments; a wrong type is an <see cref="MfaAdminErrorKind.InvalidArguments"/> naming the field.</summary>
internal static class AdminArguments
{
    public static string RequiredString(JsonObject arguments, string name) =>
        OptionalString(arguments, name) ?? throw new MfaAdminException(MfaAdminErrorKind.InvalidArguments, $"'{name}' is required");

    public static string? OptionalString(JsonObject arguments, string name) =>
        arguments[name] switch
        {
            null => null,
            JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
            _ => throw new MfaAdminException(MfaAdminErrorKind.InvalidArguments, $"'{name}' must be a string"),
        };

    public static bool OptionalBool(JsonObject arguments, string name) =>
        arguments[name] switch
        {
            null => false,
            JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False => value.GetValue<bool>(),
            _ => throw new MfaAdminException(MfaAdminErrorKind.InvalidArguments, $"'{name}' must be true or false"),
        };

    public static int? OptionalInt(JsonObject arguments, string name, int min, int max) =>
        arguments[name] switch
        {
            null => null,
            // Parsed from its text: a value built in this process may hold a long, which TryGetValue<int> refuses.
            JsonValue value when value.GetValueKind() == JsonValueKind.Number
                && int.TryParse(value.ToJsonString(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number)
                && number >= min && number <= max => number,
            _ => throw new MfaAdminException(MfaAdminErrorKind.InvalidArguments, $"'{name}' must be a whole number from {min} to {max}"),
        };
}
