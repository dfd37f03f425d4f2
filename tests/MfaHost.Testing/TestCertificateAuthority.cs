using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MfaHost.Testing;

/// <summary>
/// A throw-away certificate authority for HTTPS and TLS test servers: a root, and leaf certificates
/// for chosen host names, so certificate validation (trusted, untrusted, wrong host) is tested for real.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly RSA _key;

    public TestCertificateAuthority(string name = "MfaHost Test CA")
    {
        _key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Root = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    public X509Certificate2 Root { get; }

    /// <summary>The root as PEM, for a <c>ca_file</c>.</summary>
    public string RootPem => Root.ExportCertificatePem();

    /// <summary>Writes the root to <paramref name="path"/> as PEM and returns the path.</summary>
    public string WriteRootPem(string path)
    {
        File.WriteAllText(path, RootPem);
        return path;
    }

    /// <summary>A server certificate for <paramref name="dnsNames"/> (default localhost) and 127.0.0.1, with its private key.</summary>
    public X509Certificate2 IssueServerCertificate(params string[] dnsNames)
    {
        if (dnsNames.Length == 0)
        {
            dnsNames = ["localhost"];
        }

        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={dnsNames[0]}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames)
        {
            san.AddDnsName(dns);
        }

        if (dnsNames.Contains("localhost"))
        {
            san.AddIpAddress(IPAddress.Loopback);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        using var issued = request.Create(Root, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddMonths(6), serial);
        using var withKey = issued.CopyWithPrivateKey(key);

        // Kestrel on Linux wants a certificate whose key is exportable; a PKCS#12 round trip gives one.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }

    public void Dispose()
    {
        Root.Dispose();
        _key.Dispose();
    }
}
