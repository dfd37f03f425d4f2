// Two tiny rooms for NamespaceDirectionTests: Bottom uses Top only inside a method body.
namespace MfaHost.Tests.Architecture.Probe.Top
{
    internal sealed class TopThing
    {
        public override string ToString() => "top";
    }
}

namespace MfaHost.Tests.Architecture.Probe.Bottom
{
    internal static class BottomThing
    {
        public static string Describe() => new Top.TopThing().ToString();
    }
}
