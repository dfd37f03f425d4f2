using System.Text;

namespace MfaHost.Plugins.Hmc.Stomp;

/// <summary>STOMP 1.2 header escaping (<c>\\ \r \n \c</c>), used by every frame except CONNECT and CONNECTED.</summary>
internal static partial class StompFrameCodec
{
    /// <summary>STOMP 1.2 header escaping.</summary>
    public static string Escape(string text)
    {
        if (text.AsSpan().IndexOfAny("\\\r\n:") < 0)
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '\\' => "\\\\",
                '\r' => "\\r",
                '\n' => "\\n",
                ':' => "\\c",
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }

    /// <summary>Reverses <see cref="Escape"/>; an undefined escape is a protocol error (STOMP 1.2 says fatal).</summary>
    public static string Unescape(string text, string command = "frame")
    {
        if (!text.Contains('\\', StringComparison.Ordinal))
        {
            return text;
        }

        var plain = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                plain.Append(text[i]);
                continue;
            }

            if (i + 1 >= text.Length)
            {
                throw new StompProtocolException($"{command}: a header ends with a lone backslash");
            }

            plain.Append(text[++i] switch
            {
                '\\' => '\\',
                'r' => '\r',
                'n' => '\n',
                'c' => ':',
                var other => throw new StompProtocolException($"{command}: a header has the undefined escape '\\{other}'"),
            });
        }

        return plain.ToString();
    }
}
