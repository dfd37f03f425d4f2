namespace MfaHost.Tests;

/// <summary>Where this build put the real host (to run it as a process) and the repository it came from.</summary>
internal static class HostBuildOutput
{
    /// <summary>The repository root: tests/MfaHost.Tests/bin/&lt;configuration&gt;/&lt;framework&gt;/ is five levels below it.</summary>
    public static string RepositoryRoot => new DirectoryInfo(TestContext.CurrentContext.TestDirectory).Parent!.Parent!.Parent!.Parent!.Parent!.FullName;

    /// <summary>host/bin/&lt;configuration&gt;/&lt;framework&gt;/: the <c>mfahost</c> program, its plugins/ and config/.</summary>
    public static string Directory
    {
        get
        {
            var testDirectory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            return Path.Combine(RepositoryRoot, "host", "bin", testDirectory.Parent!.Name, testDirectory.Name);
        }
    }

    /// <summary>The <c>mfahost</c> program (the apphost).</summary>
    public static string Program => Path.Combine(Directory, "mfahost");
}
