using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace GpuNet.Tests.Data;

/// <summary>
/// A tiny HTTP server on 127.0.0.1 that serves whatever <c>serve</c> returns for a requested
/// file name (404 for null), standing in for a dataset mirror.
/// </summary>
public sealed class LocalMirror : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<string, byte[]?> _serve;
    private readonly Task _loop;

    public LocalMirror(Func<string, byte[]?> serve, string folder = "mnist")
    {
        _serve = serve;
        int port = FreePort();
        // Given without the trailing slash on purpose: the downloader must cope with both forms.
        BaseAddress = new Uri($"http://127.0.0.1:{port}/{folder}");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri BaseAddress { get; }

    /// <summary>The paths requested, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The listener was closed under a pending accept; that is how the loop ends.
        }
    }

    /// <summary>A port nobody listens on right now.</summary>
    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException
                or InvalidOperationException)
            {
                return;
            }

            string path = context.Request.Url!.AbsolutePath;
            Requests.Enqueue(path);
            using var response = context.Response;
            byte[]? content;
            try
            {
                content = _serve(path[(path.LastIndexOf('/') + 1)..]);
            }
            catch (Exception e)
            {
                // A broken test setup must show up as an answer, not as a mirror that hangs.
                response.StatusCode = 500;
                response.StatusDescription = e.GetType().Name;
                continue;
            }

            if (content is null)
            {
                response.StatusCode = 404;
                continue;
            }

            response.ContentLength64 = content.Length;
            try
            {
                await response.OutputStream.WriteAsync(content);
            }
            catch (Exception e) when (e is HttpListenerException or IOException)
            {
                // The client went away; nothing to serve.
            }
        }
    }
}
