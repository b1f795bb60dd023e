using System.Net.Sockets;
using System.Text;

namespace ConferenceCluster.Gateway.Tests.Support;

/// <summary>
/// baresip's <c>ctrl_tcp</c> command socket (module ctrl_tcp, in Debian's baresip-core): each command is a netstring
/// of <c>{"command", "params", "token"}</c> answered by a <c>{"response":true, "ok":...}</c> netstring. Lets a test end a
/// baresip when it is done with it instead of waiting out its <c>-t</c>.
/// </summary>
internal sealed class BaresipControl(string name, int port)
{
    public int Port => port;

    /// <summary>The config line that opens the socket.</summary>
    public string ConfigLine => $"ctrl_tcp_listen 127.0.0.1:{port}";

    /// <summary>Hangs up its call (a BYE to the other side) and quits: its run ends.</summary>
    public async Task HangUpAndQuitAsync()
    {
        await SendAsync("hangup", "");
        await QuitAsync();
    }

    /// <summary>Quits (a called side with no call left to hang up).</summary>
    public Task QuitAsync() => SendAsync("quit", "", expectReply: false);

    /// <summary>One command; waits for its reply (quit may exit before it answers). Retried while baresip is starting.</summary>
    public async Task SendAsync(string command, string parameters, bool expectReply = true)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                string json = $"{{\"command\":\"{command}\",\"params\":\"{parameters}\",\"token\":\"{attempt}\"}}";
                byte[] netstring = Encoding.UTF8.GetBytes($"{Encoding.UTF8.GetByteCount(json)}:{json},");
                NetworkStream stream = client.GetStream();
                await stream.WriteAsync(netstring);
                if (!expectReply) return;
                // The socket also carries baresip's events ({"event":true, ...}, e.g. CALL_CLOSED after a hangup): skip
                // them until the command's response ({"response":true, "ok":..., "token":...}).
                string response = await ReadResponseAsync(stream, TimeSpan.FromSeconds(5));
                Assert.True(response.Contains("\"ok\":true", StringComparison.Ordinal), $"{name}: {command} answered {response}");
                return;
            }
            catch (SocketException) when (attempt < 50)
            {
                await Task.Delay(100); // baresip is still starting
            }
        }
    }

    /// <summary>Reads netstrings (<c>length:json,</c>) until one is a response; everything read is in the failure message otherwise.</summary>
    private static async Task<string> ReadResponseAsync(NetworkStream stream, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var received = new StringBuilder();
        var buffer = new byte[2048];
        try
        {
            while (true)
            {
                int read = await stream.ReadAsync(buffer, cancel.Token);
                if (read == 0) return received.ToString();
                received.Append(Encoding.UTF8.GetString(buffer, 0, read));
                for (string rest = received.ToString(); rest.IndexOf(':') is var colon and > 0 && int.TryParse(rest[..colon], out int length) && rest.Length >= colon + 1 + length + 1;
                     rest = rest[(colon + 2 + length)..])
                {
                    string message = rest.Substring(colon + 1, length);
                    if (message.Contains("\"response\":true", StringComparison.Ordinal)) return message;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return received.ToString();
        }
    }
}
