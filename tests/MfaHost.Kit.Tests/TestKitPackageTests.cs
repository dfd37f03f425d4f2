using System.Xml.Linq;

namespace MfaHost.Kit.Tests;

/// <summary>The test kit packs mfahost.dll, so the host's package references must be the package's dependencies too.</summary>
public class TestKitPackageTests
{
    [Test]
    public void Every_package_the_host_references_is_a_dependency_of_the_test_kit()
    {
        var host = PackageReferences(RepositoryLayout.Combine("host", "MfaHost.csproj"));
        var kit = PackageReferences(RepositoryLayout.Combine("kit", "Testing", "MfaHost.PluginSdk.Testing.csproj"));

        Assert.That(host.Except(kit), Is.Empty, "add these <PackageReference> items to kit/Testing/MfaHost.PluginSdk.Testing.csproj: the host's assembly ships in that package and needs them");
    }

    private static string[] PackageReferences(string project) =>
        [.. XDocument.Load(project).Descendants("PackageReference").Select(e => (string)e.Attribute("Include")!)];
}
