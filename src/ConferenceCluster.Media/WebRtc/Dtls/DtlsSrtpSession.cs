using ConferenceCluster.Media.WebRtc.Srtp;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace ConferenceCluster.Media.WebRtc.Dtls;

/// <summary>
/// One leg's DTLS-SRTP association, server side. BouncyCastle's handshake is blocking, so it runs on a thread of
/// its own from the first ClientHello until it completes or fails (seconds at most); after that, the rare DTLS
/// record that still arrives (a retransmitted final flight, the browser's close_notify) is processed on the thread
/// pool. <see cref="Completed"/> yields the exported SRTP keys.
/// </summary>
internal sealed class DtlsSrtpSession : IDisposable
{
    private readonly DtlsDatagramChannel _channel;
    private readonly DtlsSrtpServer _server;
    private readonly TaskCompletionSource<SrtpKeyingMaterial> _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DtlsTransport? _transport;
    private int _started;
    private int _pumping;
    private volatile DtlsState _state = DtlsState.New;

    public DtlsSrtpSession(DtlsCertificate certificate, DtlsFingerprint remoteFingerprint, DatagramSender send, TimeSpan handshakeTimeout)
    {
        _channel = new DtlsDatagramChannel(send);
        _server = new DtlsSrtpServer(new BcTlsCrypto(new SecureRandom()), certificate, remoteFingerprint, handshakeTimeout);
    }

    public DtlsState State => _state;

    /// <summary>Why the handshake failed, once <see cref="State"/> is <see cref="DtlsState.Failed"/>.</summary>
    public string? FailureReason { get; private set; }

    /// <summary>The SRTP keys when the handshake completes; faults when it fails.</summary>
    public Task<SrtpKeyingMaterial> Completed => _completed.Task;

    /// <summary>DTLS datagrams dropped (queue full, after close).</summary>
    public long DroppedDatagrams => _channel.Dropped;

    /// <summary>A DTLS record from the validated browser address (worker thread; copied).</summary>
    public void OnDatagram(ReadOnlySpan<byte> datagram)
    {
        DtlsState state = _state;
        if (state is DtlsState.Failed or DtlsState.Closed)
        {
            return;
        }

        _channel.Enqueue(datagram);
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _state = DtlsState.Handshaking;
            var thread = new Thread(RunHandshake) { IsBackground = true, Name = "dtls-handshake" };
            thread.Start();
        }
        else if (state == DtlsState.Connected && Interlocked.CompareExchange(ref _pumping, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static session => session.PumpAfterHandshake(), this, preferLocal: false);
        }
    }

    public void Dispose()
    {
        if (_state is not DtlsState.Failed)
        {
            _state = DtlsState.Closed;
        }

        try
        {
            _transport?.Close(); // sends close_notify
        }
        catch (Exception)
        {
            // the association is going away either way
        }

        _channel.Close();
        _completed.TrySetException(new ObjectDisposedException(nameof(DtlsSrtpSession)));
    }

    private void RunHandshake()
    {
        try
        {
            var protocol = new DtlsServerProtocol();
            _transport = protocol.Accept(_server, _channel);
            if (_server.Keys is not { } keys)
            {
                throw new InvalidOperationException("The handshake completed without SRTP keys.");
            }

            _state = DtlsState.Connected;
            _completed.TrySetResult(keys);
            if (_channel.HasQueued && Interlocked.CompareExchange(ref _pumping, 1, 0) == 0)
            {
                PumpAfterHandshake();
            }
        }
        catch (Exception exception)
        {
            if (_state != DtlsState.Closed)
            {
                _state = DtlsState.Failed;
            }

            FailureReason = _server.CertificateFailure ?? Describe(exception);
            _channel.Close();
            _completed.TrySetException(new DtlsHandshakeException(FailureReason, exception));
        }
    }

    /// <summary>
    /// Lets BouncyCastle read what arrived after the handshake: it answers a retransmitted final flight by resending
    /// its own, and reads close_notify. WebRTC audio carries no DTLS application data, so what it returns is dropped.
    /// </summary>
    private void PumpAfterHandshake()
    {
        var buffer = new byte[DtlsDatagramChannel.Mtu * 2];
        do
        {
            try
            {
                while (_channel.HasQueued && _transport is { } transport)
                {
                    transport.Receive(buffer, 0, buffer.Length, 1);
                }
            }
            catch (Exception)
            {
                _channel.Close(); // a fatal alert, or a read after close_notify: the association is over
            }

            if (_channel.IsClosed)
            {
                _state = DtlsState.Closed; // BouncyCastle closes the transport when it reads close_notify
            }

            Volatile.Write(ref _pumping, 0);
        }
        while (_channel.HasQueued && _state == DtlsState.Connected && Interlocked.CompareExchange(ref _pumping, 1, 0) == 0);
    }

    private static string Describe(Exception exception) => exception switch
    {
        TlsFatalAlertReceived received => $"the browser sent the alert {AlertDescription.GetText(received.AlertDescription)}",
        TlsFatalAlert alert => $"the handshake failed with {AlertDescription.GetText(alert.AlertDescription)}",
        TlsTimeoutException => "the handshake timed out",
        _ => exception.Message,
    };
}

/// <summary>A DTLS handshake that did not complete; the message says why.</summary>
public sealed class DtlsHandshakeException(string message, Exception? inner = null) : Exception(message, inner);
