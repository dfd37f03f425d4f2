namespace MfaHost.PluginSdk;

public abstract class MfaClient
{
}

[AttributeUsage(AttributeTargets.Class)]
public sealed class MfaPluginAttribute(string type) : Attribute
{
    public string Type { get; } = type;
}
