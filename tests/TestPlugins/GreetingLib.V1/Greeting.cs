namespace TestPlugins.GreetingLib;

public static class Greeting
{
    public static string LibraryVersion => "1";
}
