using System.Text;
using ConferenceCluster.Sip.Dialogs;

namespace ConferenceCluster.Sip.Tests.Dialogs;

public class DtmfInfoBodyTests
{
    [Theory]
    [InlineData("application/dtmf-relay", "Signal=1\r\nDuration=250\r\n", '1', 250)]
    [InlineData("application/dtmf-relay", "Signal= *\nDuration= 90", '*', 90)]
    [InlineData("Application/DTMF-Relay; charset=utf-8", "signal=d", 'D', -1)]
    [InlineData("application/dtmf-relay", "Signal=11\r\n", '#', -1)] // RFC 4733 3.2: event 11 is #
    [InlineData("application/dtmf", "9\r\n", '9', -1)]
    public void Reads_digit_and_duration(string contentType, string body, char digit, int durationMs)
    {
        Assert.True(DtmfInfoBody.TryParse(contentType, Encoding.UTF8.GetBytes(body), out var d, out var duration));
        Assert.Equal(digit, d);
        Assert.Equal(durationMs < 0 ? null : TimeSpan.FromMilliseconds(durationMs), duration);
    }

    [Theory]
    [InlineData("application/dtmf-relay", "Duration=250")]
    [InlineData("application/dtmf-relay", "Signal=E")]
    [InlineData("application/dtmf", "12")]
    [InlineData("text/plain", "Signal=1")]
    [InlineData(null, "Signal=1")]
    public void Refuses_bodies_without_a_digit(string? contentType, string body) =>
        Assert.False(DtmfInfoBody.TryParse(contentType, Encoding.UTF8.GetBytes(body), out _, out _));
}
