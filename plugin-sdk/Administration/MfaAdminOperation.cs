namespace MfaHost.PluginSdk;

/// <summary>
/// An administrative operation a plugin instance offers to operators (for example the <c>totp</c> plugin's
/// <c>enroll</c>): reached through the host's <c>admin</c> socket method, which only <c>[access] admin_uids</c>
/// (and the host's own uid and root) may call, and through the host's command line.
/// </summary>
/// <param name="Name">The operation's name: lower case, words joined by <c>_</c> (for example <c>enroll</c>).</param>
/// <param name="Description">One line for operators: what it does and which arguments it takes.</param>
public sealed record MfaAdminOperation(string Name, string Description);
