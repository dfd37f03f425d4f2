using MfaHost.Testing;

namespace MfaHost.Tests;

/// <summary>At the end of the run: no secret registered by any test appears in any log line of the whole suite.</summary>
[SetUpFixture]
public class SuiteLogCheck
{
    [OneTimeTearDown]
    public void No_secret_reached_any_log_line_of_the_suite()
    {
        var leaks = SuiteLog.FindLeaks();
        Assert.That(leaks, Is.Empty, $"secrets found in the captured logs ({SuiteLog.LineCount} lines, {SuiteLog.SecretCount} secrets checked)");
    }
}
