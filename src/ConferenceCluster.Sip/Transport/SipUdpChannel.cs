using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Sip.Messages;

namespace ConferenceCluster.Sip.Transport;

/// <summary>The UDP listener: one datagram is one message (RFC 3261 18.1.1, 18.3).</summary>
internal sealed class SipUdpChannel : IDisposable
{
    // The largest UDP payload; anything the parser accepts fits.
    private const int DatagramBufferSize = 65_536;

    private readonly SipTransport _transport;
    private readonly Socket _socket;

    public SipUdpChannel(SipTransport transport, IPEndPoint bindTo)
    {
        _transport = transport;
        _socket = new Socket(bindTo.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (bindTo.AddressFamily == AddressFamily.InterNetworkV6) _socket.DualMode = true;
            _socket.ReceiveBufferSize = transport.Options.UdpReceiveBufferSize;
            _socket.Bind(bindTo);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public void StartReceiving(CancellationToken stopping) =>
        _ = Task.Factory.StartNew(() => ReceiveLoopAsync(stopping), stopping, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task ReceiveLoopAsync(CancellationToken stopping)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(DatagramBufferSize);
        EndPoint anySource = new IPEndPoint(LocalEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var parserOptions = _transport.Options.Parser;
        while (!stopping.IsCancellationRequested)
        {
            SocketReceiveMessageFromResult received;
            try
            {
                received = await _socket.ReceiveMessageFromAsync(buffer, SocketFlags.None, anySource, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException)
            {
                // An ICMP error for something we sent earlier (port unreachable) surfaces here: not ours to fix.
                continue;
            }

            var source = SipTransport.Normalize((IPEndPoint)received.RemoteEndPoint);
            var peer = new SipPeer(SipProtocol.Udp, source)
            {
                LocalEndPoint = new IPEndPoint(SipTransport.Normalize(received.PacketInformation.Address), LocalEndPoint.Port),
            };
            try
            {
                var result = SipMessageParser.Parse(buffer.AsSpan(0, received.ReceivedBytes), SipTransportKind.Datagram, parserOptions);
                _transport.Deliver(result, peer);
            }
            catch (Exception e)
            {
                // Nothing one datagram carries may stop the loop.
                _transport.WarnPeer(source, "failed to process a datagram: {Exception}", e);
            }
        }
    }

    public void Send(ReadOnlyMemory<byte> message, IPEndPoint destination)
    {
        try
        {
            _socket.SendTo(message.Span, SocketFlags.None, destination);
        }
        catch (SocketException e)
        {
            _transport.WarnPeer(destination, "UDP send failed: {Error}", e.SocketErrorCode);
        }
        catch (ObjectDisposedException)
        {
            // Stopping.
        }
    }

    public void Dispose() => _socket.Dispose();
}
