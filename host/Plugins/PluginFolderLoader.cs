using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using McMaster.NETCore.Plugins;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins;

/// <summary>
/// Loads every folder of the plugins directory into its own collectible load context
/// (McMaster.NETCore.Plugins) and finds its plugin types. A broken folder is reported with its reason
/// and skipped; the others still load.
/// </summary>
/// <remarks>
/// Assemblies are read into memory and native libraries shadow-copied, so nothing in the folder stays
/// mapped: an operator may replace the files while the host runs and a reload picks the new build up.
/// The SDK and the framework's abstractions come from the host (<see cref="SharedContracts"/>); every
/// other dependency, managed or native, is private to the plugin and resolved through its <c>.deps.json</c>.
/// </remarks>
internal static class PluginFolderLoader
{
    public static IReadOnlyList<PluginPackage> LoadAll(string pluginsDirectory)
    {
        if (!Directory.Exists(pluginsDirectory))
        {
            return [];
        }

        return Directory.GetDirectories(pluginsDirectory)
            .Order(StringComparer.Ordinal)
            .Select(Load)
            .ToList();
    }

    public static PluginPackage Load(string folder)
    {
        var name = Path.GetFileName(folder);
        string mainAssembly;
        try
        {
            mainAssembly = FindMainAssembly(folder, name);
        }
        catch (InvalidDataException e)
        {
            return new PluginPackage { Name = name, Folder = folder, Error = e.Message };
        }

        var loader = CreateLoader(mainAssembly);
        try
        {
            var assembly = loader.LoadDefaultAssembly();
            var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
                ?? assembly.GetName().Version?.ToString(3) ?? "?";

            var sdk = SharedContracts.FindSdkReference(assembly);
            var error = sdk is null
                ? $"{Path.GetFileName(mainAssembly)} does not reference {SharedContracts.SdkAssemblyName}: it is not an MfaHost plugin"
                : SharedContracts.Incompatibility(sdk.Version ?? new Version(0, 0));
            if (error is not null)
            {
                loader.Dispose();
                return new PluginPackage { Name = name, Folder = folder, Version = version, Error = error };
            }

            var types = FindPluginTypes(assembly, out error);
            if (error is not null)
            {
                loader.Dispose();
                return new PluginPackage { Name = name, Folder = folder, Version = version, Error = error };
            }

            return new PluginPackage
            {
                Name = name,
                Folder = folder,
                Loader = loader,
                Assembly = assembly,
                Version = version,
                Fingerprint = Fingerprint(folder),
                Types = types,
            };
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException or ReflectionTypeLoadException or TypeLoadException)
        {
            loader.Dispose();
            return new PluginPackage { Name = name, Folder = folder, Error = Describe(e) };
        }
    }

    /// <summary>A hash over the names and contents of every file in <paramref name="folder"/>.</summary>
    public static string Fingerprint(string folder)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(folder, file) + "\0"));
            try
            {
                hash.AppendData(File.ReadAllBytes(file));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A file being replaced right now: the next reload sees the finished copy.
                hash.AppendData(Encoding.UTF8.GetBytes(e.GetType().Name));
            }
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static PluginLoader CreateLoader(string mainAssembly)
    {
        var config = new PluginConfig(mainAssembly) { IsUnloadable = true, LoadInMemory = true, PreferSharedTypes = false };
        foreach (var shared in SharedContracts.Assemblies)
        {
            config.SharedAssemblies.Add(shared);
        }

        return new PluginLoader(config);
    }

    private static string FindMainAssembly(string folder, string name)
    {
        // The main assembly is the one with a .deps.json (its dependencies have none); a folder
        // without one may name its main assembly after itself.
        var deps = Directory.GetFiles(folder, "*.deps.json");
        if (deps.Length > 1)
        {
            throw new InvalidDataException($"more than one .deps.json ({string.Join(", ", deps.Select(Path.GetFileName))}): cannot tell the plugin's main assembly");
        }

        var candidate = deps.Length == 1
            ? Path.Combine(folder, Path.GetFileName(deps[0])[..^".deps.json".Length] + ".dll")
            : Path.Combine(folder, name + ".dll");
        return File.Exists(candidate)
            ? candidate
            : throw new InvalidDataException(deps.Length == 1
                ? $"{Path.GetFileName(deps[0])} names {Path.GetFileName(candidate)}, which is missing"
                : $"no plugin assembly: expected a .deps.json with its assembly, or {name}.dll");
    }

    private static Dictionary<string, Type> FindPluginTypes(Assembly assembly, out string? error)
    {
        error = null;
        Type[] exported;
        try
        {
            exported = assembly.GetExportedTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            error = Describe(e);
            return [];
        }

        var types = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase);
        foreach (var type in exported.Where(t => t.IsClass && !t.IsAbstract && typeof(MfaClient).IsAssignableFrom(t)))
        {
            var attribute = type.GetCustomAttribute<MfaPluginAttribute>();
            if (attribute is null)
            {
                continue;
            }

            if (type.GetConstructor([typeof(MfaPluginContext)]) is null)
            {
                error = $"{type.FullName} has no public constructor taking an {nameof(MfaPluginContext)}";
                return [];
            }

            if (!types.TryAdd(attribute.Type, type))
            {
                error = $"two classes claim plugin type '{attribute.Type}': {types[attribute.Type].FullName} and {type.FullName}";
                return [];
            }
        }

        if (types.Count == 0)
        {
            error = $"{assembly.GetName().Name} has no public {nameof(MfaClient)} class marked [{nameof(MfaPluginAttribute)[..^"Attribute".Length]}(\"name\")]";
        }

        return types;
    }

    private static string Describe(Exception e) => e switch
    {
        BadImageFormatException => $"not a valid .NET assembly ({e.Message})",
        ReflectionTypeLoadException r => "types failed to load: " + string.Join("; ", r.LoaderExceptions.Where(x => x is not null).Select(x => x!.Message).Distinct()),
        _ => e.Message,
    };
}
