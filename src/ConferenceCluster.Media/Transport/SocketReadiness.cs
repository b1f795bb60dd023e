using System.Net.Sockets;
using Tmds.Linux;

namespace ConferenceCluster.Media.Transport;

/// <summary>
/// The sockets of one media worker in one Linux epoll set (through Tmds.LibC's bindings): each receive poll asks the
/// kernel once which legs have datagrams waiting, instead of asking every socket. A worker with a thousand legs
/// otherwise spends two ioctl(FIONREAD) per leg per 5 ms poll (400 000 system calls a second) finding out that the
/// silent majority sent nothing. Level-triggered: a socket not drained is reported again.
/// </summary>
/// <remarks>Linux only; <see cref="TryCreate"/> returns null elsewhere (or if epoll is refused), and the worker polls every socket.</remarks>
internal sealed unsafe class SocketReadiness : IDisposable
{
    // <sys/epoll.h>
    private const int EpollCloexec = 0x80000;
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const int EpollIn = 0x001;

    private readonly int _epoll;
    private readonly epoll_event[] _events;
    private int _disposed;

    private SocketReadiness(int epoll, int maxEventsPerWait)
    {
        _epoll = epoll;
        _events = GC.AllocateArray<epoll_event>(maxEventsPerWait, pinned: true);
    }

    /// <summary>Sockets registered now.</summary>
    public int Count { get; private set; }

    public static SocketReadiness? TryCreate(int maxEventsPerWait = 1024)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            int epoll = LibC.epoll_create1(EpollCloexec);
            return epoll < 0 ? null : new SocketReadiness(epoll, maxEventsPerWait);
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException or TypeLoadException)
        {
            return null;
        }
    }

    /// <summary>Watches <paramref name="socket"/>; <paramref name="token"/> comes back from <see cref="Wait"/> when it is readable.</summary>
    public bool Add(Socket socket, uint token)
    {
        epoll_event registration = default;
        registration.events = EpollIn;
        registration.data.u32 = token;
        if (LibC.epoll_ctl(_epoll, EpollCtlAdd, Descriptor(socket), &registration) != 0)
        {
            return false;
        }

        Count++;
        return true;
    }

    /// <summary>Stops watching (before the socket closes, so a reused descriptor is never reported under an old token).</summary>
    public void Remove(Socket socket)
    {
        epoll_event unused = default;
        if (LibC.epoll_ctl(_epoll, EpollCtlDel, Descriptor(socket), &unused) == 0)
        {
            Count--;
        }
    }

    /// <summary>The tokens of sockets with datagrams waiting, without blocking.</summary>
    /// <returns>How many were written to <paramref name="ready"/> (at most its length, and at most the set's event buffer).</returns>
    public int Wait(Span<uint> ready)
    {
        fixed (epoll_event* events = _events)
        {
            int count = LibC.epoll_wait(_epoll, events, Math.Min(ready.Length, _events.Length), 0);
            for (int i = 0; i < count; i++)
            {
                ready[i] = events[i].data.u32;
            }

            return Math.Max(0, count);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            LibC.close(_epoll);
        }
    }

    private static int Descriptor(Socket socket) => (int)socket.SafeHandle.DangerousGetHandle();
}
