using MfaHost.Metrics;
using MfaHost.Testing;
using Microsoft.Playwright;

namespace MfaHost.Tests.Metrics;

/// <summary>
/// The status page as a person sees it, in Debian's chromium (driven by Playwright; no browser download):
/// visible text, the chart's bars, the hidden user names, and that nothing loads from elsewhere.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class StatusPageBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task LaunchBrowser()
    {
        Assert.That(File.Exists(Chromium), Is.True, "Debian's chromium package is needed (.ci/run installs it)");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    [OneTimeTearDown]
    public async Task CloseBrowser()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Test]
    public async Task The_page_shows_every_instance_the_chart_and_the_last_decisions_with_users_hidden()
    {
        await using var host = await MetricsTestHost.StartAsync();
        await MetricsTestHost.AuthenticateAsync(host);
        var (page, foreignRequests) = await OpenAsync(host);

        var instances = await RowsAsync(page, "#instances");
        Assert.That(instances.Single(r => r.StartsWith("probe_ok\t", StringComparison.Ordinal)), Does.Match(@"^probe_ok\ttest\t\d+\.\d+\.\d+\tloaded\tclosed$"));
        Assert.That(instances.Single(r => r.StartsWith("probe_no\t", StringComparison.Ordinal)), Does.Match(@"^probe_no\ttest\t\d+\.\d+\.\d+\tloaded\tclosed$"));
        Assert.That(instances.Single(r => r.StartsWith("broken\t", StringComparison.Ordinal)), Does.StartWith("broken\tthrowing\t").And.Contain("\tfailed: the constructor").And.EndWith("\t–"));

        var decisions = await RowsAsync(page, "#decisions");
        Assert.That(decisions, Has.Count.EqualTo(5));
        Assert.That(decisions.Count(r => r.Contains("\tprobe_ok\t(hidden)\tACCEPT\taccepted\t", StringComparison.Ordinal)), Is.EqualTo(3));
        Assert.That(decisions.Count(r => r.Contains("\tprobe_no\t(hidden)\tDENY\t", StringComparison.Ordinal)), Is.EqualTo(2));

        var latency = await RowsAsync(page, "#latency");
        Assert.That(latency.Select(r => r.Split('\t')[0]), Is.EqualTo(new[] { "probe_no", "probe_ok" }));
        Assert.That(latency.Select(r => r.Split('\t')[1]), Is.EqualTo(new[] { "2", "3" }));

        var chart = page.Locator("#decision-chart");
        Assert.That(await chart.IsVisibleAsync(), Is.True);
        var box = await chart.BoundingBoxAsync();
        Assert.That(box!.Width, Is.GreaterThan(300));
        Assert.That(await BarHeightAsync(page, "rect.bar.accept"), Is.GreaterThan(20), "the ACCEPT bar is drawn");
        Assert.That(await BarHeightAsync(page, "rect.bar.deny"), Is.GreaterThan(10), "the DENY bar is drawn");

        var text = await page.Locator("body").InnerTextAsync();
        Assert.That(text, Does.Contain("Decisions per minute").And.Contain("user names are hidden"));
        Assert.That(text, Does.Not.Contain(MetricsTestHost.User));
        Assert.That(await page.Locator("meta[http-equiv=refresh]").GetAttributeAsync("content"), Is.EqualTo(StatusPage.RefreshSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(foreignRequests, Is.Empty, "the page loads nothing from elsewhere");
    }

    [Test]
    public async Task With_show_users_a_hostile_user_name_is_shown_as_text_and_never_runs()
    {
        const string Hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>";
        await using var host = await MetricsTestHost.StartAsync("listen = 127.0.0.1:0\nshow_users = yes");
        await MetricsTestHost.AuthenticateAsync(host, Hostile);
        var dialogs = 0;
        var (page, foreignRequests) = await OpenAsync(host, p => p.Dialog += (_, d) =>
        {
            dialogs++;
            _ = d.DismissAsync();
        });

        var decisions = await RowsAsync(page, "#decisions");

        Assert.Multiple(async () =>
        {
            Assert.That(decisions, Has.Count.EqualTo(5));
            Assert.That(decisions, Has.All.Contain("\t" + Hostile + "\t"));
            Assert.That(await page.Locator("#decisions script, #decisions img").CountAsync(), Is.Zero);
            Assert.That(dialogs, Is.Zero);
            Assert.That(foreignRequests, Is.Empty);
        });
    }

    [Test]
    public async Task The_page_refreshes_itself_with_new_decisions()
    {
        await using var host = await MetricsTestHost.StartAsync();
        var (page, _) = await OpenAsync(host);
        Assert.That(await page.Locator("#decisions").InnerTextAsync(), Does.Contain("No decisions yet."));

        await MetricsTestHost.AuthenticateAsync(host);

        // No script: the page's own refresh (a meta refresh) brings the new rows.
        await Assertions.Expect(page.Locator("#decisions tbody tr")).ToHaveCountAsync(5, new LocatorAssertionsToHaveCountOptions { Timeout = (StatusPage.RefreshSeconds + 20) * 1000 });
    }

    private async Task<(IPage Page, List<string> ForeignRequests)> OpenAsync(RunningHost host, Action<IPage>? prepare = null)
    {
        var address = MetricsTestHost.Address(host);
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = true });
        var page = await context.NewPageAsync();
        var foreign = new List<string>();
        page.Request += (_, r) =>
        {
            if (!r.Url.StartsWith(address.ToString().TrimEnd('/'), StringComparison.Ordinal))
            {
                foreign.Add(r.Url);
            }
        };
        prepare?.Invoke(page);
        var response = await page.GotoAsync(address.ToString());
        Assert.That(response?.Status, Is.EqualTo(200));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"status-page-{TestContext.CurrentContext.Test.MethodName}.png"), FullPage = true });
        return (page, foreign);
    }

    // Each body row's visible cell texts, tab-separated.
    private static async Task<List<string>> RowsAsync(IPage page, string table)
    {
        var rows = new List<string>();
        foreach (var row in await page.Locator($"{table} tbody tr").AllAsync())
        {
            var cells = await row.Locator("td").AllInnerTextsAsync();
            rows.Add(string.Join('\t', cells.Select(c => c.Trim())));
        }

        return rows;
    }

    private static async Task<double> BarHeightAsync(IPage page, string selector)
    {
        var bars = page.Locator(selector);
        Assert.That(await bars.CountAsync(), Is.GreaterThan(0), selector);
        return (await bars.First.BoundingBoxAsync())!.Height;
    }
}
