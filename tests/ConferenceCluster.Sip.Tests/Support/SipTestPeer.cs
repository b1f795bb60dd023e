using System.Net;
using System.Net.Sockets;
using System.Text;
using ConferenceCluster.Sip.Messages;

namespace ConferenceCluster.Sip.Tests.Support;

/// <summary>
/// The far end in a test: a UDP socket or a TCP connection on 127.0.0.1 that sends hand-written SIP
/// and reads what the stack sends back. Every read is bounded.
/// </summary>
public sealed class SipTestPeer : IDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(5);

    private readonly Socket _socket;
    private readonly IPEndPoint _target;
    private readonly byte[] _buffer = new byte[65_536];
    private int _filled;

    private SipTestPeer(Socket socket, IPEndPoint target, string transport)
    {
        _socket = socket;
        _target = target;
        Transport = transport;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    public static SipTestPeer Udp(int targetPort)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return new SipTestPeer(socket, new IPEndPoint(IPAddress.Loopback, targetPort), "UDP");
    }

    public static SipTestPeer Tcp(int targetPort)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Connect(new IPEndPoint(IPAddress.Loopback, targetPort));
        return new SipTestPeer(socket, new IPEndPoint(IPAddress.Loopback, targetPort), "TCP");
    }

    public IPEndPoint LocalEndPoint { get; }

    public string Transport { get; }

    public bool IsStream => Transport == "TCP";

    public int TargetPort => _target.Port;

    public void Send(string text) => Send(Encoding.UTF8.GetBytes(text));

    public void Send(byte[] bytes)
    {
        if (IsStream) _socket.Send(bytes);
        else _socket.SendTo(bytes, _target);
    }

    public void Send(SipMessage message) => Send(SipSerializer.Serialize(message));

    /// <summary>The next message, or null if none comes within <paramref name="wait"/>.</summary>
    public SipMessage? TryReceive(TimeSpan? wait = null)
    {
        _socket.ReceiveTimeout = (int)(wait ?? DefaultWait).TotalMilliseconds;
        while (true)
        {
            if (IsStream && _filled > 0)
            {
                var framed = SipMessageParser.Parse(_buffer.AsSpan(0, _filled), SipTransportKind.Stream);
                if (framed.Status != SipParseStatus.NeedMoreData)
                {
                    Buffer.BlockCopy(_buffer, framed.BytesConsumed, _buffer, 0, _filled - framed.BytesConsumed);
                    _filled -= framed.BytesConsumed;
                    if (framed.IsSuccess) return framed.Message;
                    continue;
                }
            }
            int read;
            try
            {
                read = IsStream ? _socket.Receive(_buffer, _filled, _buffer.Length - _filled, SocketFlags.None) : _socket.Receive(_buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut || e.SocketErrorCode == SocketError.WouldBlock)
            {
                return null;
            }
            if (read == 0) return null; // the stack closed the connection
            if (IsStream)
            {
                _filled += read;
                continue;
            }
            var result = SipMessageParser.Parse(_buffer.AsSpan(0, read));
            if (result.IsSuccess) return result.Message;
        }
    }

    public SipMessage Receive(TimeSpan? wait = null) =>
        TryReceive(wait) ?? throw new TimeoutException($"No SIP message arrived at the test peer within {(wait ?? DefaultWait).TotalSeconds} s.");

    /// <summary>Reads until a response with <paramref name="statusCode"/> for <paramref name="method"/>, skipping up to 20 others (100 Trying, retransmissions).</summary>
    public SipResponse ExpectResponse(int statusCode, string method)
    {
        var seen = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var message = Receive();
            if (message is SipResponse r && r.StatusCode == statusCode && r.CSeq?.Method == method) return r;
            seen.Add(message is SipResponse other ? $"{other.StatusCode} {other.CSeq}" : ((SipRequest)message).Method);
        }
        throw new InvalidOperationException($"Expected {statusCode} to {method}; saw {string.Join(", ", seen)}.");
    }

    public SipRequest ExpectRequest(string method)
    {
        var seen = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var message = Receive();
            if (message is SipRequest r && r.Method == method) return r;
            seen.Add(message is SipResponse other ? $"{other.StatusCode} {other.CSeq}" : ((SipRequest)message).Method);
        }
        throw new InvalidOperationException($"Expected a {method}; saw {string.Join(", ", seen)}.");
    }

    /// <summary>True if the stack closed the TCP connection (reads return end of stream) within the wait.</summary>
    public bool WaitForClose(TimeSpan? wait = null)
    {
        _socket.ReceiveTimeout = (int)(wait ?? DefaultWait).TotalMilliseconds;
        try
        {
            while (true)
            {
                var read = _socket.Receive(_buffer, 0, _buffer.Length, SocketFlags.None);
                if (read == 0) return true;
            }
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode is SocketError.ConnectionReset;
        }
    }

    public void Dispose() => _socket.Dispose();
}
