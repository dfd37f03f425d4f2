using System.Security.Cryptography;
using System.Text;

namespace MfaHost.Tickets;

/// <summary>Random values and hashes for tokens and tickets; values are only ever stored as hashes.</summary>
internal static class SecretText
{
    private const string TicketAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary><paramref name="prefix"/> followed by <paramref name="bytes"/> random bytes in base64url.</summary>
    public static string Random(string prefix, int bytes)
    {
        Span<byte> buffer = stackalloc byte[bytes];
        RandomNumberGenerator.Fill(buffer);
        return prefix + Base64Url(buffer);
    }

    /// <summary>Eight characters of A-Z0-9, uniformly chosen, like a mainframe PassTicket.</summary>
    public static string Ticket() => new(RandomNumberGenerator.GetItems<char>(TicketAlphabet, 8));

    public static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    public static string Base64Url(ReadOnlySpan<byte> data) =>
        Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[]? FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += (padded.Length % 4) switch { 2 => "==", 3 => "=", _ => string.Empty };
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
