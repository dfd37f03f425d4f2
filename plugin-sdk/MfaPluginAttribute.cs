namespace MfaHost.PluginSdk;

/// <summary>
/// Marks a concrete <see cref="MfaClient"/> subclass as a plugin type and names it. An instance's
/// <c>[plugin] type</c> selects the class by this name. The class needs a public constructor that
/// takes an <see cref="MfaPluginContext"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class MfaPluginAttribute : Attribute
{
    /// <summary>Names the plugin type.</summary>
    /// <param name="type">The type name, lower case (for example <c>acme</c>).</param>
    public MfaPluginAttribute(string type)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        Type = type;
    }

    /// <summary>The type name operators write in <c>[plugin] type</c>.</summary>
    public string Type { get; }
}
