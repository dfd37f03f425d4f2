using MfaHost.PluginSdk;

namespace MfaHost.Pipeline;

/// <summary>One call of a plugin as the filters around it see it.</summary>
/// <param name="Login">The login (its <see cref="LoginContext.Otp"/> null means push).</param>
/// <param name="Attributes">The attributes handed to the plugin in <see cref="MfaRequest.Attributes"/>.</param>
internal sealed record PluginCall(LoginContext Login, IReadOnlyDictionary<string, string> Attributes);

/// <summary>The rest of the chain: the next filter, finally the plugin.</summary>
internal delegate ValueTask<MfaVerdict> PluginCallDelegate(PluginCall call, CancellationToken cancellationToken);

/// <summary>
/// Wraps every call of a plugin (after the <see cref="IPrePluginStep"/>s), in registration order
/// (<c>services.AddSingleton&lt;IPluginCallFilter, ...&gt;()</c>): a filter may answer itself without calling
/// <c>next</c> (a DENY, or a NEEDINFO the pipeline turns into a conversation), change the call it hands on,
/// and look at the verdict that comes back. Example: the host's lock-out (<c>[lockout]</c>).
/// </summary>
internal interface IPluginCallFilter
{
    ValueTask<MfaVerdict> InvokeAsync(PluginCall call, PluginCallDelegate next, CancellationToken cancellationToken);
}

/// <summary>Composes the filters around the plugin call once, at start-up.</summary>
internal static class PluginCallChain
{
    public static PluginCallDelegate Build(IEnumerable<IPluginCallFilter> filters, PluginCallDelegate plugin)
    {
        var next = plugin;
        foreach (var filter in filters.Reverse())
        {
            var inner = next;
            next = (call, cancellationToken) => filter.InvokeAsync(call, inner, cancellationToken);
        }

        return next;
    }
}
