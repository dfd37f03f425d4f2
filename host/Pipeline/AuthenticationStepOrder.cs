namespace MfaHost.Pipeline;

/// <summary>The step types of a login in the order they run; the pipeline takes each from the services, or creates it once with its constructor's services.</summary>
internal sealed record AuthenticationStepOrder(IReadOnlyList<Type> Steps);
