using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ConferenceCluster.ClientApi.Tests.Support;
using ConferenceCluster.Silo.Configuration;
using Microsoft.Extensions.Configuration;

namespace ConferenceCluster.ClientApi.Tests;

/// <summary>
/// The optional HTTPS listener (docs/operations.md, "Browsers"): browsers give a page the microphone only on https://
/// or http://localhost, so a silo reached from other machines serves the web app and APIs over HTTPS too.
/// </summary>
public sealed class HttpsTests
{
    /// <summary>Without a certificate configured, the silo makes a self-signed one for its advertised address.</summary>
    [Fact]
    public async Task A_silo_with_an_https_port_serves_the_web_app_and_the_client_api_with_a_certificate_for_its_address()
    {
        await using var silos = await ClientApiSilos.StartAsync(1, postgres: false, more: _ => new Dictionary<string, string?> { ["Silo:Ports:Https"] = "0" });
        var port = silos[0].HttpsPort;
        Assert.NotNull(port);
        X509Certificate2? presented = null;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
            {
                presented = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.RawData);
                // Self-signed: the chain is untrusted, but the name must match the address the browser used.
                return errors == SslPolicyErrors.RemoteCertificateChainErrors;
            },
        };
        using var https = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}") };

        var page = await https.GetAsync("/webapp/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("app.js", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await https.GetAsync("/api/client/v2/status")).StatusCode);
        Assert.NotNull(presented);
        Assert.Equal("CN=127.0.0.1", presented!.Subject);
        var names = presented.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains(IPAddress.Loopback, names.EnumerateIPAddresses());
        Assert.Contains("localhost", names.EnumerateDnsNames());
        // Plain HTTP is still served (http://localhost is a secure context for the browser on the same machine).
        Assert.Equal(HttpStatusCode.OK, (await silos.Http(0).GetAsync("/webapp/app.js")).StatusCode);
    }

    [Theory]
    [InlineData("Silo:Https:Key", "/etc/hostname", "need Silo:Ports:Https")]
    [InlineData("Silo:Https:Certificate", "/no/such/file.pfx", "need Silo:Ports:Https")]
    [InlineData("Silo:Ports:Https", "70000", "Silo:Ports:Https must be a port number")]
    public void Https_settings_that_cannot_work_stop_the_silo_naming_the_key(string key, string value, string error)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        var refused = Assert.Throws<SiloConfigurationException>(() => SiloHostConfiguration.Load(configuration));
        Assert.Contains(refused.Errors, e => e.Contains(error, StringComparison.Ordinal));
    }

    [Fact]
    public void A_certificate_file_that_does_not_exist_is_named()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Silo:Ports:Https"] = "8443",
            ["Silo:Https:Certificate"] = "/no/such/file.pfx",
        }).Build();
        var refused = Assert.Throws<SiloConfigurationException>(() => SiloHostConfiguration.Load(configuration));
        Assert.Contains(refused.Errors, e => e == "Silo:Https:Certificate names no file ('/no/such/file.pfx')");
    }
}
