namespace MfaHost.Pipeline;

/// <summary>What <see cref="ConversationStore.TryTake"/> found.</summary>
internal enum ConversationLookup
{
    /// <summary>No conversation for that session (never opened, answered, or swept after expiry).</summary>
    None,

    /// <summary>There was one, but it expired.</summary>
    Expired,

    /// <summary>An open conversation.</summary>
    Found,
}
