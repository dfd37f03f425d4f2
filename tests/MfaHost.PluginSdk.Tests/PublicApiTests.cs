using PublicApiGenerator;

namespace MfaHost.PluginSdk.Tests;

/// <summary>
/// Third parties compile against the SDK: its public API is recorded in plugin-sdk/PublicAPI.approved.txt
/// and every change to it must be deliberate. On a difference the test writes PublicAPI.received.txt
/// next to it; review it and copy it over the approved file if the change is intended.
/// </summary>
public class PublicApiTests
{
    [Test]
    public void Sdk_public_api_matches_the_approved_record()
    {
        var actual = typeof(MfaClient).Assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false }).ReplaceLineEndings("\n");
        var folder = Path.Combine(RepositoryRoot(), "plugin-sdk");
        var approvedPath = Path.Combine(folder, "PublicAPI.approved.txt");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : string.Empty;
        var receivedPath = Path.Combine(folder, "PublicAPI.received.txt");
        if (actual != approved)
        {
            File.WriteAllText(receivedPath, actual);
        }
        else if (File.Exists(receivedPath))
        {
            File.Delete(receivedPath);
        }

        Assert.That(actual, Is.EqualTo(approved), $"The SDK's public API changed. Review {receivedPath} and, if intended, copy it to {approvedPath}.");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MfaHost.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("MfaHost.sln not found above the test directory");
    }
}
