namespace TestPlugins.NoSdk;

/// <summary>A library that is not a plugin at all.</summary>
public static class Something
{
    public static int Answer => 42;
}
